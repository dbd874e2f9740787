package dev.faultbox.plugin.http;

import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.MockExchange;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The end of an HTTP/1.x connection's pipeline and the only handler there that talks to the SPI.
 * Serves each aggregated request through the {@link HttpAnswers} and writes the answers in request
 * order, however late each completes (pipelining); honours keep-alive; answers bad input (a bad
 * Host included) with 400, 413, 414 or 431 and closes; closes an idle connection.
 */
final class Http1Handler extends ChannelInboundHandlerAdapter {

  /** How long a connection closed for bad input keeps draining what the client still sends. */
  static final long LINGER_MS = 1_000;

  /** RFC 3986 uri-host (an IP literal in brackets, or a reg-name, which covers IPv4) and port. */
  private static final Pattern HOST =
      Pattern.compile("(\\[[A-Za-z0-9._~!$&'()*+,;=:-]+]|[A-Za-z0-9._~%!$&'()*+,;=-]*)(:[0-9]*)?");

  /** One request's place in the reply order. */
  private static final class Slot {
    MockExchange.Outcome<HttpReply> answer;
    /** Close the connection once this answer is written. */
    boolean closeAfter;
    /** Bad input: the client may still be sending, so drain before closing. */
    boolean linger;
  }

  private final HttpAnswers answers;
  private final HttpSettings settings;
  private final ArrayDeque<Slot> slots = new ArrayDeque<>();
  /** No more requests are taken: a close is coming. */
  private boolean closing;
  /** The channel is gone; late answers are released, not written. */
  private boolean inactive;
  /** Whether anything complete (a request or bad input) arrived on this connection. */
  private boolean receivedAny;

  Http1Handler(HttpAnswers answers, HttpSettings settings) {
    this.answers = answers;
    this.settings = settings;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest request) {
      try {
        onRequest(ctx, request);
      } finally {
        request.release();
      }
    } else if (msg instanceof BodyLimitAggregator.TooLarge tooLarge) {
      receivedAny = true;
      if (!closing) {
        badInput(ctx, 413, "request body over " + tooLarge.limit() + " bytes", tooLarge.version());
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onRequest(ChannelHandlerContext ctx, FullHttpRequest request) {
    receivedAny = true;
    if (closing) {
      return;
    }
    HttpVersion version = request.protocolVersion();
    if (!request.decoderResult().isSuccess()) {
      version = HttpVersion.HTTP_1_1; // a request that failed to decode has a made-up version
      Throwable cause = request.decoderResult().cause();
      if (cause instanceof TooLongHttpHeaderException) {
        badInput(ctx, 431, "request headers over " + settings.maxHeaderBytes() + " bytes", version);
      } else if (cause instanceof TooLongHttpLineException) {
        badInput(ctx, 414, "request line over " + Pipelines.maxInitialLine(settings) + " bytes", version);
      } else if (cause instanceof TooLongFrameException) {
        badInput(ctx, 431, Failures.oneLine(cause), version);
      } else {
        badInput(ctx, 400, "malformed request: " + Failures.oneLine(cause), version);
      }
      return;
    }
    if (!HttpVersion.HTTP_1_1.equals(version) && !HttpVersion.HTTP_1_0.equals(version)) {
      badInput(ctx, 400, "unsupported protocol version " + version.text(), HttpVersion.HTTP_1_1);
      return;
    }
    String hostProblem = hostProblem(request);
    if (hostProblem != null) {
      badInput(ctx, 400, hostProblem, version);
      return;
    }
    Slot slot = new Slot();
    if (!HttpUtil.isKeepAlive(request)) {
      slot.closeAfter = true;
      closing = true;
    }
    slots.add(slot);
    answers.serve(
        ctx.channel().eventLoop(),
        request,
        HttpAnswers.proto(version),
        answer -> {
          slot.answer = answer;
          drain(ctx);
        });
  }

  /**
   * What is wrong with a request's Host, or null: RFC 9112 section 3.2 wants a 400 for more than
   * one Host, for none on HTTP/1.1, and for one that is not {@code host[:port]}.
   */
  static String hostProblem(HttpRequest request) {
    List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1) {
      return "more than one Host header";
    }
    if (hosts.isEmpty()) {
      return HttpVersion.HTTP_1_1.equals(request.protocolVersion()) ? "missing Host header" : null;
    }
    return HOST.matcher(hosts.get(0)).matches() ? null : "invalid Host header";
  }

  private void badInput(ChannelHandlerContext ctx, int status, String error, HttpVersion version) {
    closing = true;
    Slot slot = new Slot();
    slot.closeAfter = true;
    slot.linger = true;
    // Always HTTP/1.1, so "Connection: close" is said out loud; a failed decode reports 1.0 anyway.
    slot.answer = answers.badInput(status, error, HttpAnswers.proto(version), HttpVersion.HTTP_1_1);
    slots.add(slot);
    drain(ctx);
  }

  /** Writes every answer at the head of the queue that is ready, each after its event. */
  private void drain(ChannelHandlerContext ctx) {
    if (inactive) {
      discardAll();
      return;
    }
    boolean wrote = false;
    while (!slots.isEmpty() && slots.peek().answer != null) {
      Slot slot = slots.poll();
      HttpReply answer = slot.answer.emit();
      if (answer.drop()) {
        discardAll();
        closing = true;
        if (wrote) {
          ctx.flush();
        }
        ctx.close();
        return;
      }
      FullHttpResponse response = answer.response();
      HttpUtil.setKeepAlive(response, !slot.closeAfter);
      ChannelFuture written = ctx.write(response);
      wrote = true;
      if (slot.closeAfter) {
        ctx.flush();
        discardAll();
        if (slot.linger) {
          written.addListener(f -> lingerThenClose(ctx));
        } else {
          written.addListener(ChannelFutureListener.CLOSE);
        }
        return;
      }
    }
    if (wrote) {
      ctx.flush();
    }
  }

  /**
   * Closes after bad input without resetting the connection: half-closes the output, so the
   * client reads the whole answer, then discards what it still sends for at most
   * {@link #LINGER_MS}.
   */
  private static void lingerThenClose(ChannelHandlerContext ctx) {
    Channel channel = ctx.channel();
    if (channel instanceof SocketChannel socket
        && socket.isActive()
        && ctx.pipeline().get(SslHandler.class) == null) {
      socket
          .shutdownOutput()
          .addListener(f -> channel.eventLoop().schedule(() -> channel.close(), LINGER_MS, TimeUnit.MILLISECONDS));
    } else {
      ctx.close();
    }
  }

  private void discardAll() {
    for (Slot slot : slots) {
      if (slot.answer != null) {
        slot.answer.reply().discard();
      }
    }
    slots.clear();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    inactive = true;
    discardAll();
    super.channelInactive(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      if (!slots.isEmpty()) {
        return; // waiting on the mock, not on the client
      }
      if (!receivedAny) {
        answers.record(
            HttpAnswers.OP_IDLE_TIMEOUT,
            Map.of(
                "error", "no complete request within " + settings.idleTimeoutMs() + "ms",
                "proto", "HTTP/1.1"));
      }
      ctx.close();
    } else if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent) {
      // h2c upgrade: HTTP/2 handlers now sit before this one; HTTP/1 is over on this connection.
      Pipelines.removeHttp1(ctx.pipeline());
      ctx.fireUserEventTriggered(evt);
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      ctx.close(); // the client went away
      return;
    }
    answers.logDebug("http connection failed", cause);
    closing = true;
    if (slots.isEmpty()) {
      ctx.close();
    } else {
      slots.peekLast().closeAfter = true;
    }
  }
}
