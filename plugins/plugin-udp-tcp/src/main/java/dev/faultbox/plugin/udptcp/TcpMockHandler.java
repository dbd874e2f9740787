package dev.faultbox.plugin.udptcp;

import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.plugin.support.RequestLoop;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The end of a TCP connection's pipeline and the only handler that talks to the SPI: serves the
 * connection's one line through the {@link MockExchange}, writes the answer and closes.
 */
final class TcpMockHandler extends ChannelInboundHandlerAdapter {

  static final String IDLE = "idle";

  /** The whole pipeline of one accepted TCP connection: idle timer, line decoder, this handler. */
  static void pipeline(SocketChannel ch, MockSettings settings, MockExchange<TcpUdpAnswers.Request, byte[]> exchange) {
    ch.pipeline()
        .addLast(IDLE, new IdleStateHandler(false, settings.idleTimeoutMs(), 0, 0, TimeUnit.MILLISECONDS))
        .addLast("line", new TcpLineDecoder(settings.maxLineBytes()))
        .addLast("mock", new TcpMockHandler(exchange, settings));
  }

  private final MockExchange<TcpUdpAnswers.Request, byte[]> exchange;
  private final MockSettings settings;
  /** Set once the connection has its outcome: a request served or an error recorded. */
  private boolean settled;

  TcpMockHandler(MockExchange<TcpUdpAnswers.Request, byte[]> exchange, MockSettings settings) {
    this.exchange = exchange;
    this.settings = settings;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (settled || !(msg instanceof TcpLine line)) {
      return;
    }
    settled = true;
    if (ctx.pipeline().get(IDLE) != null) {
      ctx.pipeline().remove(IDLE);
    }
    if (line instanceof TcpLine.Line request) {
      exchange.serve(
          RequestLoop.of(ctx.channel().eventLoop()),
          new TcpUdpAnswers.Request(request.bytes(), Map.of()),
          outcome -> reply(ctx, outcome.emit()));
    } else if (line instanceof TcpLine.TooLong tooLong) {
      recordError("line longer than " + tooLong.maxLineBytes() + " bytes");
      ctx.close();
    } else {
      ctx.close();
    }
  }

  private static void reply(ChannelHandlerContext ctx, byte[] bytes) {
    if (bytes.length == 0) {
      ctx.close();
    } else {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      if (!settled) {
        settled = true;
        recordError("idle for " + settings.idleTimeoutMs() + "ms");
      }
      ctx.close();
    } else if (evt instanceof ChannelInputShutdownEvent) {
      // The decoder has passed on whatever the client sent before closing its side.
      if (!settled) {
        settled = true;
        ctx.close();
      }
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!settled) {
      settled = true;
      recordError(Failures.messageOf(cause));
    }
    ctx.close();
  }

  /** Records a request that never became one: a too-long line, an idle client. */
  private void recordError(String error) {
    exchange.record(TcpUdpAnswers.OP_RECV_ERROR, Map.of("error", error));
  }
}
