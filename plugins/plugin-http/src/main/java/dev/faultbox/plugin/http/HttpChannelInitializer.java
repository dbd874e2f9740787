package dev.faultbox.plugin.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import java.util.function.BooleanSupplier;

/** An accepted connection of a plain {@code http} mock: idle timer, then HTTP/1.1. */
final class HttpChannelInitializer extends ChannelInitializer<SocketChannel> {

  private final Exchange exchange;
  private final HttpSettings settings;
  private final ChannelGroup connections;
  private final BooleanSupplier closed;

  HttpChannelInitializer(
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
    ch.pipeline().addLast(Pipelines.IDLE, Pipelines.idle(settings));
    Pipelines.addHttp1(ch.pipeline(), exchange, settings);
  }
}
