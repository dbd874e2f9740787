package dev.faultbox.plugin.udptcp;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The whole pipeline of one accepted TCP connection: idle timer, line decoder, mock. */
final class TcpChannelInitializer extends ChannelInitializer<SocketChannel> {

  static final String IDLE = "idle";
  static final String LINE = "line";
  static final String MOCK = "mock";

  private final MockSettings settings;
  private final Exchange exchange;
  private final ChannelGroup connections;
  private final BooleanSupplier closed;

  TcpChannelInitializer(
      MockSettings settings, Exchange exchange, ChannelGroup connections, BooleanSupplier closed) {
    this.settings = settings;
    this.exchange = exchange;
    this.connections = connections;
    this.closed = closed;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    connections.add(ch);
    if (closed.getAsBoolean()) {
      // Accepted while the server was closing: the group may already have been closed.
      ch.close();
      return;
    }
    ch.pipeline()
        .addLast(IDLE, new IdleStateHandler(false, settings.idleTimeoutMs(), 0, 0, TimeUnit.MILLISECONDS))
        .addLast(LINE, new TcpLineDecoder(settings.maxLineBytes()))
        .addLast(MOCK, new TcpMockHandler(exchange, settings));
  }
}
