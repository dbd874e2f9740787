package dev.faultbox.plugin.http;

import dev.faultbox.plugin.support.Failures;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The end of an HTTP/2 connection's pipeline (after the frame codec and the stream multiplexer)
 * and the only handler there that talks to the SPI: records a connection error (the server's
 * GOAWAY with an error code, or the client's) as {@code h2_error}, and closes an idle connection.
 */
final class Http2ConnectionEvents extends ChannelInboundHandlerAdapter {

  private final HttpAnswers answers;
  private final HttpSettings settings;
  private final Http2FrameCodec codec;
  private boolean reported;

  Http2ConnectionEvents(HttpAnswers answers, HttpSettings settings, Http2FrameCodec codec) {
    this.answers = answers;
    this.settings = settings;
    this.codec = codec;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    codec
        .connection()
        .addListener(
            new Http2ConnectionAdapter() {
              @Override
              public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
                if (errorCode != Http2Error.NO_ERROR.code()) {
                  report(describe(errorCode, debugData));
                }
              }

              @Override
              public void onGoAwayReceived(int lastStreamId, long errorCode, ByteBuf debugData) {
                if (errorCode != Http2Error.NO_ERROR.code()) {
                  report("client sent GOAWAY " + describe(errorCode, debugData));
                }
              }
            });
  }

  private void report(String error) {
    if (reported) {
      return;
    }
    reported = true;
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("error", error);
    fields.put("proto", HttpAnswers.PROTO_H2);
    answers.record(HttpAnswers.OP_H2_ERROR, fields);
  }

  private static String describe(long errorCode, ByteBuf debugData) {
    Http2Error error = Http2Error.valueOf(errorCode);
    String name = error == null ? "error " + errorCode : error.name();
    String debug =
        debugData == null || !debugData.isReadable()
            ? ""
            : debugData.toString(debugData.readerIndex(), debugData.readableBytes(), StandardCharsets.UTF_8);
    debug = debug.replace('\n', ' ').replace('\r', ' ');
    return debug.isBlank() ? name : name + ": " + debug;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      Http2Connection connection = codec.connection();
      if (connection.numActiveStreams() > 0) {
        return; // waiting on the mock, not on the client
      }
      if (connection.remote().lastStreamCreated() == 0) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("error", "no complete request within " + settings.idleTimeoutMs() + "ms");
        fields.put("proto", HttpAnswers.PROTO_H2);
        answers.record(HttpAnswers.OP_IDLE_TIMEOUT, fields);
      }
      ctx.close();
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof Http2Exception e) {
        // A connection error: the frame codec sends GOAWAY and closes after this handler saw it.
        report(e.error().name() + ": " + Failures.oneLine(e));
        return;
      }
    }
    if (!(cause instanceof IOException)) {
      answers.logDebug("http2 connection failed", cause);
    }
    ctx.close();
  }
}
