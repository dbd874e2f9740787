package dev.faultbox.plugin.grpc;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A bare HTTP/2 client on Netty's HTTP/2 codec over a real socket: sends exactly the HEADERS and
 * DATA a test writes, malformed ones included, one stream at a time, and reports how the server
 * ended each stream.
 */
final class RawH2 implements AutoCloseable {

  /**
   * How a stream ended.
   *
   * @param grpcStatus the trailers' grpc-status, or null
   * @param grpcMessage the trailers' grpc-message, or null
   * @param reset the RST_STREAM error code, or null
   * @param goAway the GOAWAY error code, or null
   */
  record Answer(String grpcStatus, String grpcMessage, Long reset, Long goAway) {}

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Http2ConnectionHandler http2;
  private final Channel channel;
  private volatile CompletableFuture<Answer> answer = new CompletableFuture<>();
  private volatile Http2Headers lastHeaders;

  RawH2(int port) throws InterruptedException {
    http2 = new Http2ConnectionHandlerBuilder().validateHeaders(false).server(false).frameListener(new Http2FrameAdapter() {
      @Override
      public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
          boolean endOfStream) {
        lastHeaders = headers;
        if (endOfStream) {
          complete();
        }
      }

      @Override
      public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
          short weight, boolean exclusive, int padding, boolean endOfStream) {
        onHeadersRead(ctx, streamId, headers, padding, endOfStream);
      }

      @Override
      public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        if (endOfStream) {
          complete();
        }
        return data.readableBytes() + padding;
      }

      @Override
      public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        answer.complete(new Answer(null, null, errorCode, null));
      }

      @Override
      public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        answer.complete(new Answer(null, null, null, errorCode));
      }
    }).build();
    channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(http2, new ChannelInboundHandlerAdapter() {
              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                answer.completeExceptionally(new IllegalStateException("connection closed without an answer"));
              }
            });
          }
        })
        .connect("127.0.0.1", port).sync().channel();
  }

  /** The end of a stream: the status of its last HEADERS (trailers, or a trailers-less error reply). */
  private void complete() {
    Http2Headers headers = lastHeaders;
    CharSequence status = headers == null ? null : headers.get("grpc-status");
    CharSequence message = headers == null ? null : headers.get("grpc-message");
    answer.complete(new Answer(status == null ? null : status.toString(), message == null ? null : message.toString(),
        null, null));
  }

  /** gRPC request headers for {@code path}; null leaves {@code :path} out. */
  static Http2Headers request(String path) {
    Http2Headers headers = new DefaultHttp2Headers(false).method("POST").scheme("http").authority("127.0.0.1");
    if (path != null) {
      headers.path(path);
    }
    return headers.set("content-type", "application/grpc").set("te", "trailers");
  }

  /** One gRPC message frame: the flag byte, the 4-byte length as given, then the body. */
  static byte[] message(int flags, long length, byte[] body) {
    byte[] out = new byte[5 + body.length];
    out[0] = (byte) flags;
    out[1] = (byte) (length >>> 24);
    out[2] = (byte) (length >>> 16);
    out[3] = (byte) (length >>> 8);
    out[4] = (byte) length;
    System.arraycopy(body, 0, out, 5, body.length);
    return out;
  }

  /** Opens a stream, sends the headers and then the data (if any) with END_STREAM, and waits for its end. */
  Answer send(Http2Headers headers, byte[] data) throws Exception {
    CompletableFuture<Answer> pending = new CompletableFuture<>();
    answer = pending;
    lastHeaders = null;
    channel.eventLoop().execute(() -> {
      ChannelHandlerContext ctx = channel.pipeline().context(http2);
      int id = http2.connection().local().incrementAndGetNextStreamId();
      http2.encoder().writeHeaders(ctx, id, headers, 0, data == null, ctx.newPromise()).addListener(f -> failed(pending, f));
      if (data != null) {
        http2.encoder().writeData(ctx, id, Unpooled.wrappedBuffer(data), 0, true, ctx.newPromise())
            .addListener(f -> failed(pending, f));
      }
      channel.flush(); // through the handler, so its flow controller writes the DATA
    });
    return pending.get(10, TimeUnit.SECONDS);
  }

  private static void failed(CompletableFuture<Answer> pending, io.netty.util.concurrent.Future<?> write) {
    if (!write.isSuccess()) {
      pending.completeExceptionally(write.cause());
    }
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
