package dev.faultbox.plugin.grpc;

import dev.faultbox.plugin.support.Failures;
import io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.ProtocolNegotiationEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSession;

/**
 * The front of each connection: TLS when the mock has it (ALPN h2 and http/1.1), then a look at
 * the first bytes. The HTTP/2 preface hands the connection to grpc-java's own negotiation (held
 * back until then, so its HTTP/2 settings are not sent to an HTTP/1.1 client); anything else is
 * HTTP/1.1, served by Netty's codec and {@link Calls}: gRPC-Web and Connect requests become
 * {@link WebCalls}, other requests get an HTTP error and an event.
 */
final class Http1Front extends ChannelInboundHandlerAdapter {

  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final ChannelHandler grpc;
  private final SslContext tls;
  private final WebCalls web;
  /**
   * How long a connection may take to show its protocol (HTTP/1.1 request bytes, or the HTTP/2
   * preface and SETTINGS), in ms; grpc-java's own default. A system property, for tests.
   */
  static final String HANDSHAKE_TIMEOUT_PROPERTY = "faultbox.grpc.handshakeTimeoutMs";
  /** How long an HTTP/1.1 keep-alive connection may sit with nothing in flight, in ms. */
  static final String IDLE_TIMEOUT_PROPERTY = "faultbox.grpc.http1IdleTimeoutMs";

  /** Bounds on an HTTP/1.1 request's line (a Connect GET's message is in it) and on its headers. */
  static final int MAX_REQUEST_LINE = 64 * 1024;
  static final int MAX_HEADERS = 64 * 1024;

  private Object negotiation;
  private ByteBuf seen;
  private java.util.concurrent.ScheduledFuture<?> handshakeTimer;
  private ChannelHandlerContext head;

  /**
   * @param grpc grpc-java's negotiation handler (plaintext), installed once the preface is seen
   * @param tls the mock's TLS, or null
   */
  Http1Front(ChannelHandler grpc, SslContext tls, WebCalls web) {
    this.grpc = grpc;
    this.tls = tls;
    this.web = web;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (tls != null) {
      ctx.pipeline().addBefore(ctx.name(), null, tls.newHandler(ctx.alloc()));
    }
    // grpc-java's handshake timer is off (it would end HTTP/1.1 connections): this one bounds a
    // connection that sends nothing, or half a preface. It closes from a handler at the head, past
    // grpc-java's HTTP/2 handler, whose graceful close would wait on the silent client's PING ack.
    ChannelHandler head = new ChannelInboundHandlerAdapter();
    ctx.pipeline().addFirst(head);
    ChannelHandlerContext first = ctx.pipeline().context(head);
    handshakeTimer = ctx.executor().schedule(() -> {
      first.close();
    }, millis(HANDSHAKE_TIMEOUT_PROPERTY, 120_000), java.util.concurrent.TimeUnit.MILLISECONDS);
    this.head = first;
  }

  /** The connection is HTTP/1.1, or its HTTP/2 client has sent its SETTINGS: no handshake timeout. On the event loop. */
  void handshaken() {
    java.util.concurrent.ScheduledFuture<?> timer = handshakeTimer;
    if (timer != null) {
      timer.cancel(false);
      handshakeTimer = null;
      if (!head.isRemoved()) {
        head.pipeline().remove(head.handler());
      }
    }
  }

  private static long millis(String property, long otherwise) {
    try {
      long value = Long.parseLong(System.getProperty(property, Long.toString(otherwise)).trim());
      return value > 0 ? value : otherwise;
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (seen != null) {
      seen.release();
      seen = null;
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof ProtocolNegotiationEvent) {
      negotiation = event; // passed on to grpc-java's handler once the connection is HTTP/2
    } else if (event instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
      ctx.close(); // a client that does not trust the mock's CA, or speaks no TLS: nothing to log
    } else {
      super.userEventTriggered(ctx, event);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf bytes)) {
      ctx.fireChannelRead(msg);
      return;
    }
    seen = seen == null ? bytes : Unpooled.wrappedBuffer(seen, bytes);
    int n = Math.min(seen.readableBytes(), PREFACE.length);
    for (int i = 0; i < n; i++) {
      if (seen.getByte(seen.readerIndex() + i) != PREFACE[i]) {
        toHttp1(ctx);
        return;
      }
    }
    if (n == PREFACE.length) {
      ByteBuf read = seen;
      seen = null;
      ctx.pipeline().replace(this, null, grpc);
      if (negotiation != null) {
        ctx.fireUserEventTriggered(secured(ctx, (ProtocolNegotiationEvent) negotiation));
      }
      ctx.fireChannelRead(read);
    }
  }

  /**
   * grpc-java's plaintext negotiator knows nothing of the TLS done here: its event is given the
   * session and security level its TLS negotiator would set, so calls see PRIVACY_AND_INTEGRITY and
   * the SSLSession, and channelz the connection's security. {@code @Internal} (the gRPC version is pinned).
   */
  private static ProtocolNegotiationEvent secured(ChannelHandlerContext ctx, ProtocolNegotiationEvent event) {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    if (ssl == null) {
      return event;
    }
    SSLSession session = ssl.engine().getSession();
    io.grpc.Attributes attributes = InternalProtocolNegotiationEvent.getAttributes(event).toBuilder()
        .set(io.grpc.Grpc.TRANSPORT_ATTR_SSL_SESSION, session)
        .set(io.grpc.internal.GrpcAttributes.ATTR_SECURITY_LEVEL, io.grpc.SecurityLevel.PRIVACY_AND_INTEGRITY)
        .build();
    event = InternalProtocolNegotiationEvent.withAttributes(event, attributes);
    return InternalProtocolNegotiationEvent.withSecurity(event,
        new io.grpc.InternalChannelz.Security(new io.grpc.InternalChannelz.Tls(session)));
  }

  private void toHttp1(ChannelHandlerContext ctx) {
    handshaken();
    ByteBuf read = seen;
    seen = null;
    String self = ctx.name();
    ctx.pipeline().addAfter(self, null, new Calls(web));
    ctx.pipeline().addAfter(self, null, new HttpServerExpectContinueHandler());
    // Netty's 4 KiB request line would refuse a Connect GET carrying a few KB of message.
    ctx.pipeline().addAfter(self, null, new HttpServerCodec(MAX_REQUEST_LINE, MAX_HEADERS, 8192));
    ctx.pipeline().addAfter(self, null, new IdleStateHandler(0, 0, millis(IDLE_TIMEOUT_PROPERTY, 60_000),
        java.util.concurrent.TimeUnit.MILLISECONDS));
    ctx.pipeline().remove(this);
    ctx.fireChannelRead(read);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // bad TLS records and the like, before the connection is either protocol's
  }

  /** One HTTP/1.1 connection's requests, one at a time, in order. */
  static final class Calls extends ChannelInboundHandlerAdapter {
    /** Requests read ahead of their answers (HTTP/1.1 pipelining) before the connection stops reading. */
    private static final int MAX_PIPELINED = 16;
    private final WebCalls web;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private Pending reading;
    private Runnable cancel;
    private boolean serving;
    /** A request could not be read: nothing after it is. */
    private boolean broken;

    Calls(WebCalls web) {
      this.web = web;
    }

    /** A request being read, then waiting its turn. */
    private static final class Pending {
      final HttpRequest head;
      WebCalls.Kind kind;
      boolean malformed;
      final ByteArrayOutputStream body = new ByteArrayOutputStream();
      String refusal;
      int status;
      long size;

      Pending(HttpRequest head, WebCalls.Kind kind) {
        this.head = head;
        this.kind = kind;
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (broken) {
          return; // after a malformed request: dropped, the connection closes once answered
        }
        if (msg instanceof HttpRequest head) {
          begin(ctx, head);
        }
        if (msg instanceof HttpContent content && reading != null && content.decoderResult().isFailure()) {
          // A broken body (a bad chunk, say): answered 400 in its turn, and the connection closes.
          malformed(ctx, reading, "malformed HTTP/1.1 body: " + content.decoderResult().cause().getMessage());
        } else if (msg instanceof HttpContent content && reading != null) {
          Pending p = reading;
          int n = content.content().readableBytes();
          p.size += n;
          if (p.refusal == null && p.kind != null && p.size > web.maxBody()) {
            p.refusal = "too large";
          }
          if (p.refusal == null) {
            content.content().readBytes(p.body, n);
          }
          if (msg instanceof LastHttpContent) {
            reading = null;
            queue.add(p);
            if (queue.size() >= MAX_PIPELINED) {
              ctx.channel().config().setAutoRead(false); // a client far ahead waits for its answers
            }
            next(ctx);
          }
        }
      } catch (java.io.IOException e) {
        ctx.close(); // ByteArrayOutputStream does not throw
      } catch (RuntimeException e) {
        // A failure of the mock's own, not the client's: recorded, and only this connection ends.
        web.refuseHttp(null, 500, "the mock failed serving this request: " + Failures.oneLine(e), 0);
        ctx.close();
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void begin(ChannelHandlerContext ctx, HttpRequest head) {
      if (head.decoderResult().isFailure()) {
        malformed(ctx, new Pending(head, null),
            "malformed HTTP/1.1 request: " + head.decoderResult().cause().getMessage());
        return;
      }
      String uri = head.uri();
      int q = uri.indexOf('?');
      String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
      WebCalls.Kind kind = WebCalls.kind(head.method().name(), contentType, q < 0 ? null : uri.substring(q + 1));
      reading = new Pending(head, kind);
      if (kind == null) {
        String method = head.method().name();
        if (!method.equals("POST")) {
          reading.status = 405;
          reading.refusal = "method " + method + " is not served here: gRPC-Web and Connect calls are POST "
              + "(a Connect GET has ?encoding=json|proto&message=...)";
        } else if (contentType != null && RequestCheck.isGrpcContentType(contentType)) {
          reading.status = 505;
          reading.refusal = "gRPC needs HTTP/2; over HTTP/1.1 this port serves gRPC-Web and Connect";
        } else {
          reading.status = 415;
          reading.refusal = (contentType == null ? "no Content-Type" : "Content-Type '" + contentType + "' is not supported")
              + ": send application/grpc-web(+proto), application/grpc-web-text(+proto), application/json or "
              + "application/proto (Connect unary), application/connect+proto or application/connect+json";
        }
      }
    }

    /**
     * Queues a 400 for a request the codec could not read, behind the answers already owed (HTTP/1.1
     * answers in order); the connection reads no more and closes after it.
     */
    private void malformed(ChannelHandlerContext ctx, Pending p, String message) {
      p.kind = null;
      p.status = 400;
      p.refusal = message;
      p.malformed = true;
      reading = null;
      broken = true;
      queue.add(p);
      ctx.channel().config().setAutoRead(false);
      next(ctx);
    }

    /** Serves the next request if none is in flight. */
    private void next(ChannelHandlerContext ctx) {
      if (serving || queue.isEmpty() || !ctx.channel().isActive()) {
        return;
      }
      Pending p = queue.poll();
      serving = true;
      String uri = p.head.uri();
      int q = uri.indexOf('?');
      String path = q < 0 ? uri : uri.substring(0, q);
      // An HTTP/1.0 client knows no chunked encoding: its answer ends with the connection.
      boolean http10 = p.head.protocolVersion().equals(HttpVersion.HTTP_1_0);
      boolean keepAlive = HttpUtil.isKeepAlive(p.head) && p.refusal == null && !http10;
      Sink sink = new Sink(ctx, keepAlive, !http10, this);
      if (p.kind == null) {
        web.refuseHttp(p.malformed ? null : path, p.status, p.refusal, p.size);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("content-type", "text/plain; charset=utf-8"));
        if (p.status == 405) {
          headers.add(Map.entry("allow", "POST, GET, OPTIONS"));
        } else if (p.status == 415) {
          headers.add(Map.entry("accept-post", "application/grpc-web, application/grpc-web+proto, "
              + "application/grpc-web-text, application/grpc-web-text+proto, application/json, application/proto, "
              + "application/connect+proto, application/connect+json"));
        }
        sink.head(p.status, headers);
        sink.body((p.refusal + "\n").getBytes(StandardCharsets.UTF_8));
        sink.end();
        return;
      }
      List<Map.Entry<String, String>> headers = new ArrayList<>();
      for (Map.Entry<String, String> h : p.head.headers()) {
        headers.add(Map.entry(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
      }
      byte[] body = p.refusal != null ? new byte[0] : p.body.toByteArray();
      WebCalls.Request request = new WebCalls.Request(p.head.method().name(), path, q < 0 ? null : uri.substring(q + 1),
          headers, body);
      if (p.refusal != null) { // over the size limit: answered as the protocol answers it
        cancel = web.serve(request, p.kind, sink, p.size);
      } else {
        cancel = web.serve(request, p.kind, sink);
      }
    }

    /** On the event loop, after a response ended. */
    void done(ChannelHandlerContext ctx, boolean keepAlive) {
      serving = false;
      cancel = null;
      if (!keepAlive) {
        ctx.close();
        return;
      }
      if (queue.size() < MAX_PIPELINED && !ctx.channel().config().isAutoRead()) {
        ctx.channel().config().setAutoRead(true);
      }
      next(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof IdleStateEvent) {
        if (!serving && reading == null && queue.isEmpty()) {
          ctx.close(); // an idle keep-alive connection; one with an answer in flight stays
        }
        return;
      }
      ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Runnable c = cancel;
      cancel = null;
      if (c != null) {
        c.run();
      }
      queue.clear();
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // a connection reset and the like: the client is gone, nothing to log
    }
  }

  /** Writes one answer as an HTTP/1.1 response, chunked, on the connection's event loop. */
  private static final class Sink implements WebCalls.Sink {
    private final ChannelHandlerContext ctx;
    private final boolean keepAlive;
    private final boolean chunked;
    private final Calls calls;

    Sink(ChannelHandlerContext ctx, boolean keepAlive, boolean chunked, Calls calls) {
      this.ctx = ctx;
      this.keepAlive = keepAlive;
      this.chunked = chunked;
      this.calls = calls;
    }

    @Override
    public void head(int status, List<Map.Entry<String, String>> headers) {
      DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
      for (Map.Entry<String, String> h : headers) {
        response.headers().add(h.getKey(), h.getValue());
      }
      if (status != 204 && chunked) { // a 204 has no body, and carries no Content-Length (RFC 9110 §8.6)
        HttpUtil.setTransferEncodingChunked(response, true);
      }
      if (!keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      ctx.executor().execute(() -> ctx.write(response));
    }

    @Override
    public void body(byte[] data) {
      ctx.executor().execute(() -> ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(data))));
    }

    @Override
    public void end() {
      ctx.executor().execute(() -> {
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        calls.done(ctx, keepAlive);
      });
    }
  }
}
