package dev.faultbox.plugin.grpc;

import io.grpc.DecompressorRegistry;
import io.grpc.Status;
import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * Answers request HEADERS that grpc-java would refuse before any handler of the mock sees them:
 * a {@code :path} that is not {@code /Service/Method} (an empty one makes it throw and log a stack
 * trace; others it answers unheard) and a {@code grpc-encoding} it cannot decode (answered, but
 * heard of only after the reply). Each gets UNIMPLEMENTED and one event, recorded first. Runs on
 * the connection's event loop, ahead of grpc-java's own frame listener.
 */
final class RequestCheck extends Http2FrameListenerDecorator {

  static final String BAD_PATH = "malformed :path: a gRPC call's path is /package.Service/Method";
  /** grpc-java's request headers take AsciiString names only. */
  private static final AsciiString GRPC_ENCODING = AsciiString.of("grpc-encoding");
  private static final AsciiString CONTENT_TYPE = AsciiString.of("content-type");
  private static final AsciiString POST = AsciiString.of("POST");

  private final Http2ConnectionHandler http2;
  private final Dispatcher dispatcher;

  private RequestCheck(Http2ConnectionHandler http2, Http2FrameListener grpc, Dispatcher dispatcher) {
    super(grpc);
    this.http2 = http2;
    this.dispatcher = dispatcher;
  }

  /**
   * grpc-java's negotiator, with each connection's frame listener wrapped. grpc-netty offers no
   * public hook into its HTTP/2 handler; this one is {@code @Internal} (the gRPC version is pinned).
   */
  static InternalProtocolNegotiator.ProtocolNegotiator negotiator(
      InternalProtocolNegotiator.ProtocolNegotiator negotiator, Dispatcher dispatcher) {
    return new InternalProtocolNegotiator.ProtocolNegotiator() {
      @Override
      public AsciiString scheme() {
        return negotiator.scheme();
      }

      @Override
      public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpc) {
        grpc.decoder().frameListener(new RequestCheck(grpc, grpc.decoder().frameListener(), dispatcher));
        return negotiator.newHandler(grpc);
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
}
