package dev.faultbox.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The smallest reasonable Netty HTTP/1.1 server answering the benchmark stub: {@code GET /api/flags}
 * gets 200 with a fixed JSON body, anything else 404. Keep-alive, two event-loop threads, no
 * aggregation, no logging. Usage: {@code java -jar netty-baseline.jar [port]} (default 18083),
 * always bound to 127.0.0.1.
 */
public final class NettyBaseline {

  private static final byte[] BODY =
      "{\"enabled\":true,\"variant\":\"B\"}".getBytes(StandardCharsets.US_ASCII);
  private static final ByteBuf FLAGS = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(BODY));
  private static final ByteBuf EMPTY = Unpooled.EMPTY_BUFFER;

  private NettyBaseline() {}

  public static void main(String[] args) throws InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 18083;
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      Channel server =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 1024)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline().addLast(new HttpServerCodec(), FlagsHandler.INSTANCE);
                    }
                  })
              .bind(new InetSocketAddress("127.0.0.1", port))
              .sync()
              .channel();
      System.out.println("netty-baseline listening on 127.0.0.1:" + port);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> server.close().syncUninterruptibly()));
      server.closeFuture().sync();
    } finally {
      group.shutdownGracefully();
    }
  }

  /** Stateless, so one instance serves every connection. */
  @ChannelHandler.Sharable
  static final class FlagsHandler extends SimpleChannelInboundHandler<HttpObject> {
    static final FlagsHandler INSTANCE = new FlagsHandler();

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (!(msg instanceof HttpRequest request)) {
        return; // request bodies (HttpContent) are ignored
      }
      boolean hit = request.method() == HttpMethod.GET && "/api/flags".equals(request.uri());
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              hit ? HttpResponseStatus.OK : HttpResponseStatus.NOT_FOUND,
              hit ? FLAGS.duplicate() : EMPTY);
      if (hit) {
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      }
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (keepAlive) {
        if (!request.protocolVersion().isKeepAliveDefault()) {
          response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.write(response);
      } else {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
