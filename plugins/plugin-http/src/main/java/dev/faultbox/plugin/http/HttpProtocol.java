package dev.faultbox.plugin.http;

import dev.faultbox.plugin.support.StreamServer;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.spi.TlsIdentity;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code http} plugin: HTTP/1.1 mocks ({@code interface("main", "http", 8090)}) and HTTP/2
 * mocks ({@code interface("main", "http2", 8091)}, h2c without TLS), both over TLS with ALPN when
 * declared {@code tls = True}, plus the {@code get post put patch delete head} steps.
 *
 * <p>Routes are {@code "METHOD /path"} keys with {@code *}, {@code **}, {@code {name}} and
 * {@code prefix-*} segments, most specific first (see {@link RouteTable}). Every server of the
 * plugin shares one small event-loop group of daemon threads, created on first use.
 */
public final class HttpProtocol implements MockProtocol {

  static final String HTTP = "http";
  static final String HTTP2 = "http2";

  @Override
  public int spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public String id() {
    return "http";
  }

  @Override
  public Set<String> protocols() {
    return Set.of(HTTP, HTTP2);
  }

  @Override
  public void validate(MockDefinition definition) throws InvalidMockException {
    HttpSettings.of(definition);
  }

  @Override
  public MockServer start(MockDefinition definition, MockContext context) throws Exception {
    HttpSettings settings = HttpSettings.of(definition);
    Optional<TlsIdentity> identity = context.tls();
    if (definition.tls() && identity.isEmpty()) {
      throw new InvalidMockException(
          "tls=True, but the kernel gave " + definition.service() + " no TLS identity");
    }
    SslContext ssl = identity.isPresent() ? sslContext(identity.get()) : null;
    Exchange exchange = new Exchange(definition, context, settings);
    InetSocketAddress at = new InetSocketAddress(context.bindAddress(), definition.iface().port());
    StreamServer server = StreamServer.start(exchange.name(), at, false, ch -> {
      if (ssl != null) {
        Pipelines.tls(ch, exchange, settings, ssl);
      } else if (HttpProtocol.HTTP2.equals(settings.protocol())) {
        Pipelines.h2c(ch, exchange, settings);
      } else {
        ch.pipeline().addLast(Pipelines.IDLE, Pipelines.idle(settings));
        Pipelines.addHttp1(ch.pipeline(), exchange, settings);
      }
    });
    context.logger().debug("{}: {} mock listening on {}{}", exchange.name(), settings.protocol(), server.address(),
        ssl != null ? " (TLS)" : "");
    return server;
  }

  /** TLS with the identity's key and chain, offering h2 and http/1.1 over ALPN. */
  static SslContext sslContext(TlsIdentity identity) throws Exception {
    return SslContextBuilder.forServer(identity.key(), identity.chain().toArray(new X509Certificate[0]))
        .sslProvider(SslProvider.JDK)
        .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
        .applicationProtocolConfig(
            new ApplicationProtocolConfig(
                ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                ApplicationProtocolNames.HTTP_2,
                ApplicationProtocolNames.HTTP_1_1))
        .build();
  }

  @Override
  public Map<String, StepMethod> steps(String protocol) {
    if (!HTTP.equals(protocol) && !HTTP2.equals(protocol)) {
      return Map.of();
    }
    Map<String, StepMethod> steps = new LinkedHashMap<>();
    for (String method : HttpStep.METHODS) {
      steps.put(method, new HttpStep(method, HTTP2.equals(protocol)));
    }
    return Map.copyOf(steps);
  }
}
