package dev.faultbox.plugin.grpc;

import dev.faultbox.plugin.support.Failures;
import io.grpc.DecompressorRegistry;
import io.grpc.Status;
import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiators;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsciiString;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Answers request HEADERS that grpc-java would refuse before any handler of the mock sees them:
 * a {@code :path} that is not {@code /Service/Method} (an empty one makes it throw and log a stack
 * trace; others it answers unheard) and a {@code grpc-encoding} it cannot decode (answered, but
 * heard of only after the reply). Each gets UNIMPLEMENTED and one event, recorded first. Also
 * takes gRPC-Web, Connect and CORS preflight streams (by method and content type) away from
 * grpc-java and serves them as {@link WebCalls}. Runs on the connection's event loop, ahead of
 * grpc-java's own frame listener.
 */
final class RequestCheck extends Http2FrameListenerDecorator {

  static final String BAD_PATH = "malformed :path: a gRPC call's path is /package.Service/Method";
  /** grpc-java's request headers take AsciiString names only. */
  private static final AsciiString GRPC_ENCODING = AsciiString.of("grpc-encoding");
  private static final AsciiString CONTENT_TYPE = AsciiString.of("content-type");
  private static final AsciiString POST = AsciiString.of("POST");

  private final Http2ConnectionHandler http2;
  private final Http1Front front;
  private final Dispatcher dispatcher;
  private final WebCalls web;
  /** This connection's gRPC-Web and Connect streams, which grpc-java never sees; by stream id. */
  private final Map<Integer, WebStream> webStreams = new HashMap<>();

  private RequestCheck(Http2ConnectionHandler http2, Http2FrameListener grpc, Dispatcher dispatcher, WebCalls web,
      Http1Front front) {
    super(grpc);
    this.front = front;
    this.http2 = http2;
    this.dispatcher = dispatcher;
    this.web = web;
    http2.connection().addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamClosed(Http2Stream stream) {
        // Ended by either side or with the connection: a call still running has lost its client.
        WebStream gone = webStreams.remove(stream.id());
        if (gone != null && gone.cancel != null) {
          gone.cancel.run();
        }
      }
    });
  }

  /**
   * grpc-java's plaintext negotiator behind {@link Http1Front} (which does TLS itself, so ALPN
   * can offer http/1.1 too), with each connection's frame listener wrapped. grpc-netty offers no
   * public hook into its HTTP/2 handler; this one is {@code @Internal} (the gRPC version is pinned).
   *
   * @param tls the mock's TLS, or null
   */
  static InternalProtocolNegotiator.ProtocolNegotiator negotiator(SslContext tls, Dispatcher dispatcher, WebCalls web) {
    InternalProtocolNegotiator.ProtocolNegotiator negotiator = InternalProtocolNegotiators.serverPlaintext();
    return new InternalProtocolNegotiator.ProtocolNegotiator() {
      @Override
      public AsciiString scheme() {
        return AsciiString.of(tls != null ? "https" : "http");
      }

      @Override
      public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpc) {
        Http1Front front = new Http1Front(negotiator.newHandler(grpc), tls, web);
        grpc.decoder().frameListener(new RequestCheck(grpc, grpc.decoder().frameListener(), dispatcher, web, front));
        return front;
      }

      @Override
      public void close() {
        negotiator.close();
      }
    };
  }

  /** {@code /Service/Method}: a slash, a service, a slash, a method. */
  static boolean validPath(CharSequence path) {
    if (path == null || path.length() < 4 || path.charAt(0) != '/') {
      return false;
    }
    String p = path.toString();
    int slash = p.lastIndexOf('/');
    return slash > 1 && slash < p.length() - 1;
  }

  /** Why grpc-java would refuse these headers, or null when it would take them. */
  private static String refusal(Http2Headers headers) {
    if (!validPath(headers.path())) {
      return BAD_PATH;
    }
    CharSequence encoding = headers.get(GRPC_ENCODING);
    if (encoding != null && DecompressorRegistry.getDefaultInstance().lookupDecompressor(encoding.toString()) == null) {
      return "Can't find decompressor for " + encoding; // grpc-java's words
    }
    return null;
  }

  /**
   * Records the call if grpc-java will answer its headers with an HTTP error of its own: 405 for a
   * method other than POST, 415 for a content type that is not gRPC. It answers those itself and
   * tells no handler, so they had no event (found by the fuzzer); this one is recorded before its
   * answer leaves. The messages are grpc-java's words.
   */
  private void recordTransportRefusal(Http2Headers headers) {
    CharSequence method = headers.method();
    CharSequence contentType = headers.get(CONTENT_TYPE);
    if (method == null || !POST.contentEquals(method)) {
      dispatcher.refusedByTransport(headers.path().toString(), 405, "Method '" + method + "' is not supported");
    } else if (contentType == null) {
      dispatcher.refusedByTransport(headers.path().toString(), 415, "Content-Type is missing from the request");
    } else if (!isGrpcContentType(contentType.toString())) {
      dispatcher.refusedByTransport(headers.path().toString(), 415, "Content-Type '" + contentType + "' is not supported");
    }
  }

  /** grpc-java's test: application/grpc, alone or followed by {@code +} or {@code ;}, in any case. */
  static boolean isGrpcContentType(String contentType) {
    String type = contentType.toLowerCase(java.util.Locale.ROOT);
    String grpc = "application/grpc";
    return type.startsWith(grpc) && (type.length() == grpc.length() || type.charAt(grpc.length()) == '+'
        || type.charAt(grpc.length()) == ';');
  }

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
      boolean endOfStream) throws Http2Exception {
    if (takeWeb(ctx, streamId, headers, endOfStream)) {
      return;
    }
    String refusal = refusal(headers);
    if (refusal == null) {
      recordTransportRefusal(headers);
      super.onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    } else {
      refuse(ctx, streamId, headers.path(), refusal, endOfStream);
    }
  }

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
      short weight, boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
    if (takeWeb(ctx, streamId, headers, endOfStream)) {
      return;
    }
    String refusal = refusal(headers);
    if (refusal == null) {
      recordTransportRefusal(headers);
      super.onHeadersRead(ctx, streamId, headers, streamDependency, weight, exclusive, padding, endOfStream);
    } else {
      refuse(ctx, streamId, headers.path(), refusal, endOfStream);
    }
  }

  /** A trailers-only UNIMPLEMENTED; then, if the client is still sending, RST_STREAM NO_ERROR (RFC 9113 §8.1). */
  private void refuse(ChannelHandlerContext ctx, int streamId, CharSequence path, String message, boolean endOfStream) {
    dispatcher.refused(path == null ? null : path.toString(), validPath(path), message);
    Http2Headers trailers = new DefaultHttp2Headers()
        .status("200")
        .set("content-type", "application/grpc")
        .set("grpc-status", Integer.toString(Status.Code.UNIMPLEMENTED.value()))
        .set("grpc-message", message);
    http2.encoder().writeHeaders(ctx, streamId, trailers, 0, true, ctx.newPromise());
    if (!endOfStream) {
      http2.resetStream(ctx, streamId, Http2Error.NO_ERROR.code(), ctx.newPromise());
    }
  }

  // ---- gRPC-Web and Connect over HTTP/2 --------------------------------------------------

  /** One web request's stream: its head, then its body as it comes. */
  private static final class WebStream {
    final WebCalls.Kind kind;
    final String method;
    final String path;
    final String query;
    final List<Map.Entry<String, String>> headers = new ArrayList<>();
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    long size;
    boolean served;
    Runnable cancel;

    WebStream(WebCalls.Kind kind, String method, String path, String query) {
      this.kind = kind;
      this.method = method;
      this.path = path;
      this.query = query;
    }
  }

  /** Takes a gRPC-Web, Connect or CORS preflight stream (or a later HEADERS of one); false for any other. */
  private boolean takeWeb(ChannelHandlerContext ctx, int streamId, Http2Headers headers, boolean endOfStream) {
    WebStream stream = webStreams.get(streamId);
    if (stream == null) {
      CharSequence rawPath = headers.path();
      String path = rawPath == null ? "" : rawPath.toString();
      int q = path.indexOf('?');
      CharSequence method = headers.method();
      CharSequence contentType = headers.get(CONTENT_TYPE);
      WebCalls.Kind kind = WebCalls.kind(method == null ? "" : method.toString(),
          contentType == null ? null : contentType.toString(), q < 0 ? null : path.substring(q + 1));
      if (kind == null) {
        return false;
      }
      stream = new WebStream(kind, method.toString(), q < 0 ? path : path.substring(0, q), q < 0 ? null : path.substring(q + 1));
      for (Map.Entry<CharSequence, CharSequence> h : headers) {
        String name = h.getKey().toString();
        if (!name.startsWith(":")) {
          stream.headers.add(Map.entry(name.toLowerCase(Locale.ROOT), h.getValue().toString()));
        }
      }
      CharSequence authority = headers.authority();
      if (authority != null) {
        stream.headers.add(Map.entry("host", authority.toString()));
      }
      webStreams.put(streamId, stream);
    }
    if (endOfStream) {
      serveWeb(ctx, streamId, stream, null);
    }
    return true;
  }

  @Override
  public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream)
      throws Http2Exception {
    WebStream stream = webStreams.get(streamId);
    if (stream == null) {
      return super.onDataRead(ctx, streamId, data, padding, endOfStream);
    }
    int n = data.readableBytes();
    stream.size += n;
    if (!stream.served && stream.size > web.maxBody()) {
      serveWeb(ctx, streamId, stream, stream.size); // refused at once; the rest is read and dropped
    } else if (!stream.served) {
      try {
        data.readBytes(stream.body, n);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e); // ByteArrayOutputStream does not throw
      }
      if (endOfStream) {
        serveWeb(ctx, streamId, stream, null);
      }
    }
    return n + padding; // consumed here: grpc-java's flow control never hears of these bytes
  }

  @Override
  public void onSettingsRead(ChannelHandlerContext ctx, io.netty.handler.codec.http2.Http2Settings settings)
      throws Http2Exception {
    front.handshaken(); // the client's first SETTINGS: its HTTP/2 handshake is done
    super.onSettingsRead(ctx, settings);
  }

  @Override
  public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) throws Http2Exception {
    WebStream stream = webStreams.remove(streamId);
    if (stream == null) {
      super.onRstStreamRead(ctx, streamId, errorCode);
    } else if (stream.cancel != null) {
      stream.cancel.run();
    }
  }

  private void serveWeb(ChannelHandlerContext ctx, int streamId, WebStream stream, Long tooLarge) {
    if (stream.served) {
      return;
    }
    stream.served = true;
    WebCalls.Request request = new WebCalls.Request(stream.method, stream.path, stream.query, stream.headers,
        tooLarge != null ? new byte[0] : stream.body.toByteArray());
    try {
      stream.cancel = web.serve(request, stream.kind, new H2Sink(ctx, streamId), tooLarge);
    } catch (RuntimeException e) {
      // Thrown out of a frame listener, it would end the whole connection (GOAWAY): this stream only.
      web.refuseHttp(stream.path, 500, "the mock failed serving this request: " + Failures.oneLine(e), stream.size,
          stream.kind.protocol);
      http2.resetStream(ctx, streamId, Http2Error.INTERNAL_ERROR.code(), ctx.newPromise());
    }
  }

  /** Writes a web answer on its stream, on the connection's event loop. */
  private final class H2Sink implements WebCalls.Sink {
    private final ChannelHandlerContext ctx;
    private final int streamId;
    private volatile boolean endedInHead;

    H2Sink(ChannelHandlerContext ctx, int streamId) {
      this.ctx = ctx;
      this.streamId = streamId;
    }

    @Override
    public void head(int status, List<Map.Entry<String, String>> headers) {
      Http2Headers out = new DefaultHttp2Headers().status(Integer.toString(status));
      for (Map.Entry<String, String> h : headers) {
        out.add(AsciiString.of(h.getKey()), h.getValue());
      }
      endedInHead = status == 204; // no body: the stream ends with its HEADERS
      boolean end = endedInHead;
      ctx.executor().execute(() -> http2.encoder().writeHeaders(ctx, streamId, out, 0, end, ctx.newPromise()));
    }

    @Override
    public void body(byte[] data) {
      ctx.executor().execute(() -> {
        http2.encoder().writeData(ctx, streamId, Unpooled.wrappedBuffer(data), 0, false, ctx.newPromise());
        flush();
      });
    }

    @Override
    public void end() {
      if (endedInHead) {
        ctx.executor().execute(this::flush);
        return;
      }
      ctx.executor().execute(() -> {
        // An answer before the client has sent all (too large) leaves the stream open for the rest,
        // which is read and dropped: RST_STREAM NO_ERROR (RFC 9113 §8.1, a MAY) makes curl fail
        // the exchange at times, before it has read the answer.
        http2.encoder().writeData(ctx, streamId, Unpooled.EMPTY_BUFFER, 0, true, ctx.newPromise());
        flush();
      });
    }

    private void flush() {
      try {
        http2.flush(ctx);
      } catch (Exception e) {
        ctx.close(); // the connection failed under it; its streams end with it
      }
    }
  }
}
