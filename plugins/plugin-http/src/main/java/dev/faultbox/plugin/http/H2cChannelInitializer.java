package dev.faultbox.plugin.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import java.util.function.BooleanSupplier;

/**
 * An accepted connection of a plain {@code http2} mock: idle timer, then h2c by prior knowledge
 * (the client opens with the HTTP/2 preface) or by {@code Upgrade: h2c}, else HTTP/1.1.
 */
final class H2cChannelInitializer extends ChannelInitializer<SocketChannel> {

  private final Exchange exchange;
  private final HttpSettings settings;
  private final ChannelGroup connections;
  private final BooleanSupplier closed;

  H2cChannelInitializer(
      Exchange exchange, HttpSettings settings, ChannelGroup connections, BooleanSupplier closed) {
    this.exchange = exchange;
    this.settings = settings;
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
    HttpServerCodec codec = Pipelines.httpCodec(settings);
    ch.pipeline()
        .addLast(Pipelines.IDLE, Pipelines.idle(settings))
        .addLast(
            Pipelines.H2C,
            new CleartextHttp2ServerUpgradeHandler(
                codec,
                Pipelines.upgrade(codec, exchange, settings),
                Pipelines.priorKnowledge(exchange, settings)));
    Pipelines.addHttp1Tail(ch.pipeline(), exchange, settings);
  }
}
