package dev.faultbox.plugin.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import java.util.function.BooleanSupplier;

/**
 * An accepted connection of a TLS mock, {@code http} or {@code http2}: idle timer, TLS, then the
 * HTTP/2 or HTTP/1.1 chain for the protocol ALPN settles on ({@link AlpnHandler}).
 */
final class TlsChannelInitializer extends ChannelInitializer<SocketChannel> {

  private final Exchange exchange;
  private final HttpSettings settings;
  private final SslContext ssl;
  private final ChannelGroup connections;
  private final BooleanSupplier closed;

  TlsChannelInitializer(
      Exchange exchange,
      HttpSettings settings,
      SslContext ssl,
      ChannelGroup connections,
      BooleanSupplier closed) {
    this.exchange = exchange;
    this.settings = settings;
    this.ssl = ssl;
    this.connections = connections;
    this.closed = closed;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    connections.add(ch);
    if (closed.getAsBoolean()) {
      ch.close(); // accepted while the server was closing
      return;
    }
    ch.pipeline()
        .addLast(Pipelines.IDLE, Pipelines.idle(settings))
        .addLast(Pipelines.TLS, ssl.newHandler(ch.alloc()))
        .addLast(Pipelines.ALPN, new AlpnHandler(exchange, settings));
  }
}
