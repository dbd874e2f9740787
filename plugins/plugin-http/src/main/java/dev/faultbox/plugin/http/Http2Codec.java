package dev.faultbox.plugin.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * The server's HTTP/2 frame codec. Netty answers a header block over {@code max_header_bytes}
 * with 431 from inside the codec, before the stream reaches a handler of ours; this codec records
 * that refusal as a {@code bad_request} event first.
 */
final class Http2Codec extends Http2FrameCodec {

  private final HttpAnswers answers;
  private final int maxHeaderBytes;

  private Http2Codec(
      Http2ConnectionEncoder encoder,
      Http2ConnectionDecoder decoder,
      Http2Settings initialSettings,
      boolean decoupleCloseAndGoAway,
      boolean flushPreface,
      HttpAnswers answers,
      int maxHeaderBytes) {
    super(encoder, decoder, initialSettings, decoupleCloseAndGoAway, flushPreface);
    this.answers = answers;
    this.maxHeaderBytes = maxHeaderBytes;
  }

  static Http2FrameCodec create(HttpAnswers answers, HttpSettings settings) {
    return new Builder(answers, settings.maxHeaderBytes())
        .initialSettings(Http2Settings.defaultSettings().maxHeaderListSize(settings.maxHeaderBytes()))
        .validateHeaders(true)
        .build();
  }

  @Override
  protected void handleServerHeaderDecodeSizeError(ChannelHandlerContext ctx, Http2Stream stream) {
    answers.emit(
        answers.badRequest(431, "request headers over " + maxHeaderBytes + " bytes", HttpAnswers.PROTO_H2));
    super.handleServerHeaderDecodeSizeError(ctx, stream);
  }

  /** Netty's server builder, making this codec where it would make its own. */
  private static final class Builder extends Http2FrameCodecBuilder {
    private final HttpAnswers answers;
    private final int maxHeaderBytes;

    Builder(HttpAnswers answers, int maxHeaderBytes) {
      this.answers = answers;
      this.maxHeaderBytes = maxHeaderBytes;
      server(true);
    }

    @Override
    protected Http2FrameCodec build(
        Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings initialSettings) {
      Http2Codec codec =
          new Http2Codec(
              encoder, decoder, initialSettings, decoupleCloseAndGoAway(), flushPreface(), answers, maxHeaderBytes);
      codec.gracefulShutdownTimeoutMillis(gracefulShutdownTimeoutMillis());
      return codec;
    }
  }
}
