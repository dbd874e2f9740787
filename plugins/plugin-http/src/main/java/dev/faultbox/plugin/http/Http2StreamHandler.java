package dev.faultbox.plugin.http;

import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.MockExchange;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.ReferenceCountUtil;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The end of an HTTP/2 stream's pipeline and the only handler there that talks to the SPI: serves
 * the stream's one request through the {@link HttpAnswers}. A dropped request closes the whole
 * connection; a body over the limit is answered 413 and the stream closed.
 */
final class Http2StreamHandler extends ChannelInboundHandlerAdapter {

  private final HttpAnswers answers;
  private boolean served;

  Http2StreamHandler(HttpAnswers answers) {
    this.answers = answers;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest request) {
      try {
        if (served) {
          return;
        }
        served = true;
        answers.serve(
            ctx.channel().eventLoop(), request, HttpAnswers.PROTO_H2, answer -> write(ctx, answer, false));
      } finally {
        request.release();
      }
    } else if (msg instanceof BodyLimitAggregator.TooLarge tooLarge) {
      if (!served) {
        served = true;
        write(
            ctx,
            answers.badInput(
                413, "request body over " + tooLarge.limit() + " bytes", HttpAnswers.PROTO_H2, HttpVersion.HTTP_1_1),
            true);
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void write(ChannelHandlerContext ctx, MockExchange.Outcome<HttpReply> outcome, boolean closeAfter) {
    if (!ctx.channel().isActive()) {
      outcome.reply().discard();
      return;
    }
    HttpReply answer = outcome.emit();
    if (answer.drop() && answer.resetOnly()) {
      ctx.close(); // an unfinished stream's channel resets the stream (RST_STREAM CANCEL) as it closes
      return;
    }
    if (answer.drop()) {
      // drop() closes the connection, not just this stream (closing the stream's channel would
      // reset it). The close starts below the frame codec, whose own close would send GOAWAY and
      // then wait for the open streams, this one included.
      ctx.channel().parent().pipeline().context(Http2FrameCodec.class).close();
      return;
    }
    if (closeAfter) {
      ctx.writeAndFlush(answer.response()).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(answer.response());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable http2 = cause;
    while (http2 != null && !(http2 instanceof Http2Exception)) {
      http2 = http2.getCause();
    }
    Map<String, String> fields = new LinkedHashMap<>();
    if (http2 instanceof Http2Exception e) {
      fields.put("error", e.error() + ": " + Failures.oneLine(e));
    } else {
      fields.put("error", Failures.oneLine(cause));
    }
    fields.put("proto", HttpAnswers.PROTO_H2);
    answers.record(HttpAnswers.OP_H2_ERROR, fields);
    ctx.close();
  }
}
