package dev.faultbox.plugin.support;

import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.TlsIdentity;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * TLS for a mock declared {@code tls=True}: a server context holding the identity the kernel lends
 * with the context (a certificate from the run's mock CA), made per start for that reason, and
 * put first in each connection's pipeline.
 */
public final class ServerTls {
  private final SslContext context;

  private ServerTls(SslContext context) {
    this.context = context;
  }

  /**
   * The mock's TLS, or empty when it was not declared {@code tls=True}.
   *
   * @throws InvalidMockException when it was, but the kernel gave no identity
   */
  public static Optional<ServerTls> of(MockDefinition definition, MockContext mock)
      throws InvalidMockException, SSLException {
    if (!definition.tls()) {
      return Optional.empty();
    }
    Optional<TlsIdentity> identity = mock.tls();
    if (identity.isEmpty()) {
      throw new InvalidMockException("tls=True, but the kernel gave " + definition.service() + " no TLS identity");
    }
    return Optional.of(new ServerTls(
        SslContextBuilder.forServer(identity.get().key(), identity.get().chain().toArray(new X509Certificate[0]))
            .sslProvider(SslProvider.JDK)
            .build()));
  }

  /** Adds the TLS handler at the front of {@code channel}'s pipeline, before the protocol's. */
  public void addFirst(Channel channel) {
    channel.pipeline().addFirst("tls", context.newHandler(channel.alloc()));
  }
}
