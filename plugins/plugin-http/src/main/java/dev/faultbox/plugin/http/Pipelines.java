package dev.faultbox.plugin.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import java.util.concurrent.TimeUnit;

/**
 * The handler chains the channel initializers put together: HTTP/1.x (codec, aggregator, {@link
 * Http1Handler}) and HTTP/2 (frame codec, stream multiplexer whose streams run the HTTP object
 * codec, aggregator and {@link Http2StreamHandler}, and {@link Http2ConnectionEvents}).
 */
final class Pipelines {

  static final String IDLE = "idle";
  static final String TLS = "tls";
  static final String ALPN = "alpn";
  static final String H2C = "h2c";
  static final String HTTP_CODEC = "http-codec";
  static final String AGGREGATOR = "aggregator";
  static final String HTTP1 = "http1";
  static final String H2_CODEC = "h2-codec";
  static final String H2_STREAMS = "h2-streams";
  static final String H2_EVENTS = "h2-events";

  /** The least room a request line gets, whatever {@code max_header_bytes} says. */
  static final int MIN_INITIAL_LINE = 4096;

  private Pipelines() {}

  static int maxInitialLine(HttpSettings settings) {
    return Math.max(MIN_INITIAL_LINE, settings.maxHeaderBytes());
  }

  static IdleStateHandler idle(HttpSettings settings) {
    return new IdleStateHandler(false, settings.idleTimeoutMs(), 0, 0, TimeUnit.MILLISECONDS);
  }

  static HttpServerCodec httpCodec(HttpSettings settings) {
    return new HttpServerCodec(
        new HttpDecoderConfig()
            .setMaxInitialLineLength(maxInitialLine(settings))
            .setMaxHeaderSize(settings.maxHeaderBytes())
            .setMaxChunkSize(64 * 1024));
  }

  /** Appends the HTTP/1.x chain: codec, aggregator, handler. */
  static void addHttp1(ChannelPipeline pipeline, HttpAnswers answers, HttpSettings settings) {
    pipeline.addLast(HTTP_CODEC, httpCodec(settings));
    addHttp1Tail(pipeline, answers, settings);
  }

  /** Appends what follows the HTTP/1.x codec: aggregator, handler. */
  static void addHttp1Tail(ChannelPipeline pipeline, HttpAnswers answers, HttpSettings settings) {
    pipeline.addLast(AGGREGATOR, new BodyLimitAggregator(settings.maxBodyBytes()));
    pipeline.addLast(HTTP1, new Http1Handler(answers, settings));
  }

  /** Removes what {@link #addHttp1Tail} added, once a connection turned HTTP/2. */
  static void removeHttp1(ChannelPipeline pipeline) {
    if (pipeline.get(AGGREGATOR) != null) {
      pipeline.remove(AGGREGATOR);
    }
    if (pipeline.get(HTTP1) != null) {
      pipeline.remove(HTTP1);
    }
  }

  static Http2MultiplexHandler http2Streams(HttpAnswers answers, HttpSettings settings) {
    return new Http2MultiplexHandler(
        new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel ch) {
            ch.pipeline()
                .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                .addLast(new BodyLimitAggregator(settings.maxBodyBytes()))
                .addLast(new Http2StreamHandler(answers));
          }
        });
  }

  /** Appends the HTTP/2 chain, for a connection that negotiated h2 with ALPN. */
  static void addHttp2(ChannelPipeline pipeline, HttpAnswers answers, HttpSettings settings) {
    Http2FrameCodec codec = Http2Codec.create(answers, settings);
    pipeline.addLast(H2_CODEC, codec);
    pipeline.addLast(H2_STREAMS, http2Streams(answers, settings));
    pipeline.addLast(H2_EVENTS, new Http2ConnectionEvents(answers, settings, codec));
  }

  /**
   * Turns a connection HTTP/2 at the handler's place when the client opens with the h2 preface
   * (prior knowledge): the HTTP/2 chain goes in after it, the HTTP/1.x tail goes away.
   */
  static ChannelHandler priorKnowledge(HttpAnswers answers, HttpSettings settings) {
    return new ChannelHandlerAdapter() {
      @Override
      public void handlerAdded(ChannelHandlerContext ctx) {
        ChannelPipeline pipeline = ctx.pipeline();
        Http2FrameCodec codec = Http2Codec.create(answers, settings);
        removeHttp1(pipeline);
        pipeline.addAfter(ctx.name(), H2_CODEC, codec);
        pipeline.addAfter(H2_CODEC, H2_STREAMS, http2Streams(answers, settings));
        pipeline.addAfter(H2_STREAMS, H2_EVENTS, new Http2ConnectionEvents(answers, settings, codec));
        pipeline.remove(this);
      }
    };
  }

  /** The h2c upgrade: {@code Upgrade: h2c} on an HTTP/1.1 request turns the connection HTTP/2. */
  static HttpServerUpgradeHandler upgrade(
      HttpServerCodec codec, HttpAnswers answers, HttpSettings settings) {
    return new H2cUpgradeHandler(
        codec,
        protocol -> {
          if (AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)) {
            Http2FrameCodec h2 = Http2Codec.create(answers, settings);
            return new Http2ServerUpgradeCodec(
                h2,
                http2Streams(answers, settings),
                new Http2ConnectionEvents(answers, settings, h2));
          }
          return null;
        },
        settings.maxBodyBytes());
  }

  /**
   * A plain {@code http2} connection: idle timer, then h2c by prior knowledge (the client opens
   * with the HTTP/2 preface) or by {@code Upgrade: h2c}, else HTTP/1.1.
   */
  static void h2c(SocketChannel ch, HttpAnswers answers, HttpSettings settings) {
    HttpServerCodec codec = httpCodec(settings);
    ch.pipeline()
        .addLast(IDLE, idle(settings))
        .addLast(H2C, new CleartextHttp2ServerUpgradeHandler(
            codec, upgrade(codec, answers, settings), priorKnowledge(answers, settings)));
    addHttp1Tail(ch.pipeline(), answers, settings);
  }

  /**
   * A TLS connection, {@code http} or {@code http2}: idle timer, TLS, then the HTTP/2 or HTTP/1.1
   * chain for the protocol ALPN settles on ({@link AlpnHandler}).
   */
  static void tls(SocketChannel ch, HttpAnswers answers, HttpSettings settings, SslContext ssl) {
    ch.pipeline()
        .addLast(IDLE, idle(settings))
        .addLast(TLS, ssl.newHandler(ch.alloc()))
        .addLast(ALPN, new AlpnHandler(answers, settings));
  }
}
