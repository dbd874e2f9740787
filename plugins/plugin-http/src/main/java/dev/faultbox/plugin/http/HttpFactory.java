package dev.faultbox.plugin.http;

import dev.faultbox.plugin.support.EventLoops;
import dev.faultbox.plugin.support.StreamServer;
import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.ProtocolFactory;
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

/**
 * The {@code http} or the {@code http2} protocol: both bind a TCP port, take TLS, share one fault
 * model and serve the same route tables; they differ in the cleartext wire protocol and the steps'
 * HTTP version.
 */
final class HttpFactory implements ProtocolFactory {

  /**
   * Rules match {@code path} and {@code method} as globs. The probe carries the method upper-cased,
   * so {@code method = "GET"} also takes a {@code get} request, as routes do.
   */
  static final FaultModel FAULT_MODEL = new FaultModel(
      Map.of("path", FaultModel.Match.GLOB, "method", FaultModel.Match.GLOB_IGNORING_CASE), Map.of(), 100, 999, 500, 200);

  private final String name;
  private final Map<String, StepMethod> steps;

  HttpFactory(String name, StepClients clients) {
    this.name = name;
    Map<String, StepMethod> steps = new LinkedHashMap<>();
    for (String method : HttpStep.METHODS) {
      steps.put(method, new HttpStep(method, HttpProtocol.HTTP2.equals(name), clients));
    }
    this.steps = Map.copyOf(steps);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String urlScheme(boolean tls) {
    return tls ? "https" : "http"; // http2 too: the URL is the same, the client picks the protocol
  }

  @Override
  public Transport transport() {
    return Transport.STREAM;
  }

  @Override
  public boolean supportsTls() {
    return true;
  }

  @Override
  public FaultModel faultModel() {
    return FAULT_MODEL;
  }

  @Override
  public HttpSettings prepare(MockDefinition definition) throws InvalidMockException {
    return HttpSettings.of(definition);
  }

  @Override
  public MockServer start(PreparedMock prepared, MockContext context) throws Exception {
    if (!(prepared instanceof HttpSettings settings)) {
      throw new IllegalArgumentException("the http plugin did not prepare " + prepared);
    }
    MockDefinition definition = settings.definition();
    Optional<TlsIdentity> identity = context.tls();
    if (definition.tls() && identity.isEmpty()) {
      throw new InvalidMockException(
          "tls=True, but the kernel gave " + definition.service() + " no TLS identity");
    }
    // The identity comes with the context, so the TLS context is made per start.
    SslContext ssl = identity.isPresent() ? sslContext(identity.get()) : null;
    HttpAnswers answers = new HttpAnswers(settings, context);
    InetSocketAddress at = new InetSocketAddress(context.bindAddress(), definition.iface().port());
    EventLoops.group(context.threads()); // the shared loops run on the threads the kernel lends
    StreamServer server = StreamServer.start(answers.name(), at, false, ch -> {
      if (ssl != null) {
        Pipelines.tls(ch, answers, settings, ssl);
      } else if (HttpProtocol.HTTP2.equals(settings.protocol())) {
        Pipelines.h2c(ch, answers, settings);
      } else {
        ch.pipeline().addLast(Pipelines.IDLE, Pipelines.idle(settings));
        Pipelines.addHttp1(ch.pipeline(), answers, settings);
      }
    });
    context.logger().debug("{}: {} mock listening on {}{}", answers.name(), settings.protocol(), server.address(),
        ssl != null ? " (TLS)" : "");
    return server;
  }

  /** TLS with the identity's key and chain, offering h2 and http/1.1 over ALPN. */
  private static SslContext sslContext(TlsIdentity identity) throws Exception {
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
  public Map<String, StepMethod> steps() {
    return steps;
  }
}
