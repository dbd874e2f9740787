package dev.faultbox.plugin.grpc;

import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.faultbox.plugin.support.Failures;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * gRPC-Web and Connect calls, translated: each request becomes a call on the mock's own gRPC
 * services through an in-process channel (the same handlers, fault gate, routes and events as a
 * native call), and the call's headers, messages, status and trailers go back in the caller's
 * framing. The transports ({@link RequestCheck} on HTTP/2, {@link Http1Front} on HTTP/1.1) only
 * gather a request's head and body and write what a {@link Sink} is given.
 */
final class WebCalls {

  /** How a call arrived, for the Dispatcher's event ({@code protocol}); set only by the in-process server. */
  static final Context.Key<String> VIA = Context.key("faultbox-grpc-via");
  private static final Metadata.Key<String> VIA_HEADER = Metadata.Key.of("faultbox-via", Metadata.ASCII_STRING_MARSHALLER);

  /** Request headers that are HTTP's or the web protocols' own, not the call's metadata. */
  private static final Set<String> NOT_METADATA = Set.of("host", "content-type", "content-length", "connection",
      "keep-alive", "te", "transfer-encoding", "upgrade", "expect", "accept-encoding", "content-encoding",
      "proxy-connection", "http2-settings", VIA_HEADER.name());
  static final String EXPOSED = "grpc-status, grpc-message, grpc-status-details-bin";
  private static final String ALLOWED_HEADERS = "content-type, x-grpc-web, x-user-agent, grpc-timeout, "
      + "connect-protocol-version, connect-timeout-ms, authorization";

  /** What a web request is, from its method and content type. */
  enum Kind {
    GRPC_WEB("grpc-web"), GRPC_WEB_TEXT("grpc-web"), CONNECT_UNARY("connect"), CONNECT_GET("connect"),
    CONNECT_STREAM("connect"), PREFLIGHT("cors");

    final String protocol;

    Kind(String protocol) {
      this.protocol = protocol;
    }
  }

  /** A request's head and whole body; header names lower case. */
  record Request(String method, String path, String query, List<Map.Entry<String, String>> headers, byte[] body) {
    String header(String name) {
      for (Map.Entry<String, String> h : headers) {
        if (h.getKey().equals(name)) {
          return h.getValue();
        }
      }
      return null;
    }
  }

  /** Where an answer goes: a head, body parts, an end. Called on any thread, in that order. */
  interface Sink {
    void head(int status, List<Map.Entry<String, String>> headers);

    void body(byte[] data);

    void end();
  }

  private final ManagedChannel channel;
  private final MockContext context;
  private final MockDefinition definition;
  private final GrpcSettings settings;

  WebCalls(ManagedChannel channel, MockContext context, GrpcSettings settings) {
    this.channel = channel;
    this.context = context;
    this.definition = settings.definition();
    this.settings = settings;
  }

  /** Puts the marker of a web call into the call's context, for the Dispatcher's events. */
  static ServerInterceptor marker() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        String via = headers.get(VIA_HEADER);
        if (via == null) {
          return next.startCall(call, headers);
        }
        headers.removeAll(VIA_HEADER);
        return Contexts.interceptCall(Context.current().withValue(VIA, via), call, headers, next);
      }
    };
  }

  /** The kind of web request, or null when it is none (native gRPC, or not a call at all). */
  static Kind kind(String method, String contentType, String query) {
    if ("OPTIONS".equals(method)) {
      return Kind.PREFLIGHT;
    }
    if ("GET".equals(method)) {
      return queryParameter(query, "encoding") != null || queryParameter(query, "connect") != null
          ? Kind.CONNECT_GET : null;
    }
    if (!"POST".equals(method) || contentType == null) {
      return null;
    }
    return switch (mediaType(contentType)) {
      case "application/grpc-web", "application/grpc-web+proto" -> Kind.GRPC_WEB;
      case "application/grpc-web-text", "application/grpc-web-text+proto" -> Kind.GRPC_WEB_TEXT;
      case "application/json", "application/proto" -> Kind.CONNECT_UNARY;
      case "application/connect+proto", "application/connect+json" -> Kind.CONNECT_STREAM;
      default -> null;
    };
  }

  /** One query parameter's value (the first), percent-decoded where it can be; null if absent. */
  static String queryParameter(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if ((eq < 0 ? pair : pair.substring(0, eq)).equals(name)) {
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        try {
          return URLDecoder.decode(value, StandardCharsets.ISO_8859_1);
        } catch (IllegalArgumentException e) {
          return value; // refused as not percent-encoded when the message is read
        }
      }
    }
    return null;
  }

  static String mediaType(String contentType) {
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  /** The most body bytes buffered for one request: a largest message, as base64, with its prefix. */
  long maxBody() {
    return (long) settings.maxMessageBytes() * 4 / 3 + 1024;
  }

  /** A request refused before it became a call. */
  private static final class Refused extends Exception {
    final Status.Code code;
    final Long size;

    Refused(Status.Code code, String message) {
      this(code, message, null);
    }

    Refused(Status.Code code, String message, Long size) {
      super(message);
      this.code = code;
      this.size = size;
    }
  }

  /**
   * Serves one web request.
   *
   * @return what cancels the call when the client goes away
   */
  Runnable serve(Request request, Kind kind, Sink sink) {
    return serve(request, kind, sink, null);
  }

  /**
   * Serves one web request, or refuses it as too large.
   *
   * @param tooLarge the size of a body the transport would not buffer (over {@link #maxBody()}), or null
   */
  Runnable serve(Request request, Kind kind, Sink sink, Long tooLarge) {
    Answer answer = new Answer(request, kind, sink);
    try {
      return serve(request, kind, answer, tooLarge);
    } catch (RuntimeException e) {
      // No single request may take its connection down: it is answered INTERNAL, with an event.
      failed(request, kind, answer, e);
      return () -> {};
    }
  }

  /** A request whose serving threw: recorded and answered INTERNAL (or ended, if its answer had begun). */
  private void failed(Request request, Kind kind, Answer answer, RuntimeException e) {
    String message = "the mock failed serving this request: " + Failures.oneLine(e);
    refuse(request, kind, Status.Code.INTERNAL, message, null);
    if (answer.call != null) {
      answer.call.cancel(message, null);
    }
    answer.onClose(Status.INTERNAL.withDescription(message), new Metadata());
  }

  private Runnable serve(Request request, Kind kind, Answer answer, Long tooLarge) {
    Sink sink = answer.sink;
    if (kind == Kind.PREFLIGHT) {
      List<Map.Entry<String, String>> headers = cors(request);
      String asked = request.header("access-control-request-headers");
      headers.add(Map.entry("access-control-allow-methods", "POST, GET, OPTIONS"));
      headers.add(Map.entry("access-control-allow-headers", asked != null ? asked : ALLOWED_HEADERS));
      headers.add(Map.entry("access-control-max-age", "7200"));
      sink.head(204, headers);
      sink.end();
      return () -> {};
    }
    List<byte[]> messages;
    Long timeoutNanos;
    try {
      if (!RequestCheck.validPath(request.path())) {
        throw new Refused(Status.Code.UNIMPLEMENTED, RequestCheck.BAD_PATH);
      }
      if (tooLarge != null) {
        throw new Refused(Status.Code.RESOURCE_EXHAUSTED,
            new GrpcWebCodec.TooLargeException(settings.maxMessageBytes(), tooLarge).getMessage(), tooLarge);
      }
      messages = messages(request, answer);
      timeoutNanos = timeoutNanos(request, kind);
    } catch (Refused refused) {
      refuse(request, kind, refused.code, refused.getMessage(), refused.size);
      answer.onClose(Status.fromCode(refused.code).withDescription(refused.getMessage()), new Metadata());
      return () -> {};
    }
    CallOptions options = CallOptions.DEFAULT;
    if (timeoutNanos != null) {
      options = options.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
    }
    MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.BIDI_STREAMING) // the server's own descriptor decides
        .setFullMethodName(request.path().substring(1))
        .setRequestMarshaller(Dispatcher.BYTES)
        .setResponseMarshaller(Dispatcher.BYTES)
        .build();
    ClientCall<byte[], byte[]> call = channel.newCall(method, options);
    answer.call = call;
    Metadata metadata = metadata(request.headers());
    metadata.put(VIA_HEADER, kind.protocol);
    call.start(answer, metadata);
    call.request(Integer.MAX_VALUE);
    for (byte[] message : messages) {
      call.sendMessage(message);
    }
    call.halfClose();
    return () -> call.cancel("the client went away", null);
  }

  /** The request's messages, in binary. */
  private List<byte[]> messages(Request request, Answer answer) throws Refused {
    int max = settings.maxMessageBytes();
    byte[] body = request.body();
    try {
      switch (answer.kind) {
        case GRPC_WEB, GRPC_WEB_TEXT -> {
          List<byte[]> out = new ArrayList<>();
          for (GrpcWebCodec.Frame frame : GrpcWebCodec.frames(
              answer.kind == Kind.GRPC_WEB_TEXT ? GrpcWebCodec.unbase64(body) : body, max)) {
            if (frame.flags() != 0) {
              throw new Refused(Status.Code.INTERNAL, (frame.flags() & GrpcWebCodec.COMPRESSED) != 0
                  ? "compressed messages are not supported: send them uncompressed (grpc-encoding identity)"
                  : "unexpected envelope flags 0x" + Integer.toHexString(frame.flags()) + " in a request");
            }
            out.add(frame.data());
          }
          return out;
        }
        case CONNECT_STREAM -> {
          checkConnect(request, request.header("connect-content-encoding"));
          List<byte[]> out = new ArrayList<>();
          for (GrpcWebCodec.Frame frame : GrpcWebCodec.frames(body, max)) {
            if (frame.flags() != 0) {
              throw new Refused(Status.Code.INVALID_ARGUMENT, (frame.flags() & GrpcWebCodec.COMPRESSED) != 0
                  ? "compressed messages are not supported: send connect-content-encoding identity"
                  : "unexpected envelope flags 0x" + Integer.toHexString(frame.flags()) + " in a request");
            }
            out.add(answer.json ? fromJson(frame.data(), request.path()) : frame.data());
          }
          return out;
        }
        case CONNECT_UNARY -> {
          checkConnect(request, request.header("content-encoding"));
          if (body.length > max) {
            throw new GrpcWebCodec.TooLargeException(max, body.length);
          }
          return List.of(answer.json ? fromJson(body, request.path()) : body);
        }
        case CONNECT_GET -> {
          return List.of(getMessage(request, answer));
        }
        default -> throw new IllegalStateException(answer.kind.name());
      }
    } catch (GrpcWebCodec.MalformedException e) {
      throw new Refused(answer.kind.protocol.equals("connect") ? Status.Code.INVALID_ARGUMENT : Status.Code.INTERNAL,
          e.getMessage());
    } catch (GrpcWebCodec.TooLargeException e) {
      throw new Refused(Status.Code.RESOURCE_EXHAUSTED, e.getMessage(), e.size);
    }
  }

  private static void checkConnect(Request request, String encoding) throws Refused {
    String version = request.header("connect-protocol-version");
    if (version != null && !version.trim().equals("1")) {
      throw new Refused(Status.Code.INVALID_ARGUMENT, "connect-protocol-version must be 1, not \"" + version + "\"");
    }
    if (encoding != null && !encoding.trim().equalsIgnoreCase("identity")) {
      throw new Refused(Status.Code.UNIMPLEMENTED, "compression \"" + encoding + "\" is not supported: send identity");
    }
  }

  private byte[] fromJson(byte[] json, String path) throws Refused {
    Descriptors.Descriptor type = ConnectCodec.type(settings.schema(), path, true);
    try {
      return ConnectCodec.fromJson(json, type, settings.schema());
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new Refused(Status.Code.INVALID_ARGUMENT,
          "the request is not a " + type.getFullName() + " in JSON: " + Failures.oneLine(e));
    }
  }

  /** A Connect GET's message, from {@code ?encoding=json|proto&message=...&base64=1}. */
  private byte[] getMessage(Request request, Answer answer) throws Refused, GrpcWebCodec.TooLargeException {
    Map<String, String> query = new LinkedHashMap<>();
    for (String pair : request.query() == null ? new String[0] : request.query().split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      try {
        // ISO-8859-1 keeps a percent-encoded binary message's bytes as they were.
        query.putIfAbsent(URLDecoder.decode(key, StandardCharsets.ISO_8859_1),
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.ISO_8859_1));
      } catch (IllegalArgumentException e) { // %zz, a trailing %
        throw new Refused(Status.Code.INVALID_ARGUMENT, "the query is not percent-encoded: " + Failures.oneLine(e));
      }
    }
    String encoding = query.get("encoding");
    if (encoding == null || !(encoding.equals("json") || encoding.equals("proto"))) {
      throw new Refused(Status.Code.INVALID_ARGUMENT,
          encoding == null ? "a Connect GET needs encoding=json or encoding=proto"
              : "encoding must be json or proto, not \"" + encoding + "\"");
    }
    String connect = query.get("connect");
    if (connect != null && !connect.equals("v1")) {
      throw new Refused(Status.Code.INVALID_ARGUMENT, "connect must be v1, not \"" + connect + "\"");
    }
    String compression = query.get("compression");
    if (compression != null && !compression.equalsIgnoreCase("identity")) {
      throw new Refused(Status.Code.UNIMPLEMENTED, "compression \"" + compression + "\" is not supported: send identity");
    }
    byte[] message = query.getOrDefault("message", "").getBytes(StandardCharsets.ISO_8859_1);
    if ("1".equals(query.get("base64"))) {
      try {
        message = Base64.getUrlDecoder().decode(message);
      } catch (IllegalArgumentException e) {
        throw new Refused(Status.Code.INVALID_ARGUMENT, "message is not URL-safe base64");
      }
    }
    if (message.length > settings.maxMessageBytes()) {
      throw new GrpcWebCodec.TooLargeException(settings.maxMessageBytes(), message.length);
    }
    return answer.json ? fromJson(message, request.path()) : message;
  }

  /** grpc-timeout (gRPC-Web) or connect-timeout-ms (Connect), in nanoseconds; null if none. */
  private static Long timeoutNanos(Request request, Kind kind) throws Refused {
    if (kind.protocol.equals("connect")) {
      String ms = request.header("connect-timeout-ms");
      if (ms == null) {
        return null;
      }
      if (!ms.trim().matches("[0-9]{1,10}")) {
        throw new Refused(Status.Code.INVALID_ARGUMENT,
            "connect-timeout-ms must be a positive whole number of milliseconds (at most 10 digits), not \"" + ms + "\"");
      }
      return TimeUnit.MILLISECONDS.toNanos(Long.parseLong(ms.trim()));
    }
    String timeout = request.header("grpc-timeout");
    if (timeout == null) {
      return null;
    }
    timeout = timeout.trim();
    TimeUnit unit = timeout.isEmpty() ? null : switch (timeout.charAt(timeout.length() - 1)) {
      case 'H' -> TimeUnit.HOURS;
      case 'M' -> TimeUnit.MINUTES;
      case 'S' -> TimeUnit.SECONDS;
      case 'm' -> TimeUnit.MILLISECONDS;
      case 'u' -> TimeUnit.MICROSECONDS;
      case 'n' -> TimeUnit.NANOSECONDS;
      default -> null;
    };
    if (unit == null || !timeout.substring(0, timeout.length() - 1).matches("[0-9]{1,8}")) {
      throw new Refused(Status.Code.INVALID_ARGUMENT,
          "grpc-timeout must be 1 to 8 digits and a unit (H, M, S, m, u, n), not \"" + timeout + "\"");
    }
    return unit.toNanos(Long.parseLong(timeout.substring(0, timeout.length() - 1)));
  }

  /** Request headers as the call's metadata: not HTTP's own, not the protocols' (grpc-*, connect-*). */
  static Metadata metadata(List<Map.Entry<String, String>> headers) {
    Metadata metadata = new Metadata();
    for (Map.Entry<String, String> header : headers) {
      String name = header.getKey();
      if (name.startsWith(":") || name.startsWith("grpc-") || name.startsWith("connect-") || NOT_METADATA.contains(name)) {
        continue;
      }
      try {
        if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
          metadata.put(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER), Base64.getDecoder().decode(header.getValue().trim()));
        } else {
          metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), header.getValue());
        }
      } catch (IllegalArgumentException e) {
        // A name gRPC does not allow, or a -bin value that is not base64: not passed on.
      }
    }
    return metadata;
  }

  /** Metadata as HTTP header lines; binary values base64. */
  static List<Map.Entry<String, String>> headers(Metadata metadata) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (metadata == null) {
      return out;
    }
    for (String key : metadata.keys()) {
      if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        for (byte[] value : metadata.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER))) {
          out.add(Map.entry(key, Base64.getEncoder().withoutPadding().encodeToString(value)));
        }
      } else {
        for (String value : metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))) {
          out.add(Map.entry(key, value));
        }
      }
    }
    return out;
  }

  /** The CORS headers every web answer carries, so a browser lets the page read it. */
  static List<Map.Entry<String, String>> cors(Request request) {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    String origin = request.header("origin");
    headers.add(Map.entry("access-control-allow-origin", origin != null ? origin : "*"));
    if (origin != null) {
      headers.add(Map.entry("access-control-allow-credentials", "true"));
      headers.add(Map.entry("vary", "Origin"));
    }
    headers.add(Map.entry("access-control-expose-headers", EXPOSED));
    return headers;
  }

  /** Records a web request refused before it became a call: op bad_request, as native refusals are. */
  void refuse(Request request, Kind kind, Status.Code code, String message, Long size) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put(RequestCheck.validPath(request.path()) ? "method" : "path", request.path());
    fields.put("code", code.name());
    fields.put("message", message);
    fields.put("req_size", size != null ? size : (long) request.body().length);
    fields.put("duration_ms", 0L);
    fields.put("protocol", kind.protocol);
    emit(fields);
  }

  /** Records an HTTP/1.1 request that is no web call at all, answered with an HTTP error. */
  void refuseHttp(String path, int status, String message, long size) {
    refuseHttp(path, status, message, size, "http/1.1");
  }

  void refuseHttp(String path, int status, String message, long size, String protocol) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put(path != null && RequestCheck.validPath(path) ? "method" : "path", path == null ? "" : path);
    fields.put("status", status);
    fields.put("code", Status.Code.INTERNAL.name());
    fields.put("message", message);
    fields.put("req_size", size);
    fields.put("duration_ms", 0L);
    fields.put("protocol", protocol);
    emit(fields);
  }

  private void emit(Map<String, Object> fields) {
    try {
      context.events().emit(definition.event(Dispatcher.OP_BAD_REQUEST, fields));
    } catch (RuntimeException e) {
      context.logger().warn("{}.{}: recording a bad_request event failed: {}", definition.service(),
          definition.iface().name(), Failures.oneLine(e));
    }
  }

  /** The call's answer, written in the request's framing as it comes. */
  private final class Answer extends ClientCall.Listener<byte[]> {
    final Request request;
    final Kind kind;
    final Sink sink;
    final boolean json;
    Metadata headers = new Metadata();
    ClientCall<byte[], byte[]> call;
    byte[] unary;
    boolean headSent;
    boolean ended;
    /** A reply that could not be written in the caller's framing: the status the call ends with. */
    Status failure;

    Answer(Request request, Kind kind, Sink sink) {
      this.request = request;
      this.kind = kind;
      this.sink = sink;
      this.json = switch (kind) {
        case CONNECT_UNARY -> mediaType(request.header("content-type")).equals("application/json");
        case CONNECT_STREAM -> mediaType(request.header("content-type")).equals("application/connect+json");
        case CONNECT_GET -> "json".equals(queryParameter(request.query(), "encoding"));
        default -> false;
      };
    }

    @Override
    public void onHeaders(Metadata headers) {
      this.headers = headers;
    }

    @Override
    public void onMessage(byte[] message) {
      switch (kind) {
        case GRPC_WEB, GRPC_WEB_TEXT -> {
          head(200, contentType());
          sink.body(encode(GrpcWebCodec.frame(0, message)));
        }
        case CONNECT_STREAM -> {
          byte[] data = message;
          if (json) {
            try {
              data = ConnectCodec.toJson(message, ConnectCodec.type(settings.schema(), request.path(), false), settings.schema());
            } catch (InvalidProtocolBufferException | RuntimeException e) {
              // Not dropped quietly: the call is cancelled and ends INTERNAL, as a unary call does.
              failure = Status.INTERNAL.withDescription("the reply is not a "
                  + ConnectCodec.type(settings.schema(), request.path(), false).getFullName() + ": " + Failures.oneLine(e));
              if (call != null) {
                call.cancel(failure.getDescription(), null);
              }
              return;
            }
          }
          head(200, contentType());
          sink.body(GrpcWebCodec.frame(0, data));
        }
        default -> {
          if (unary == null) {
            unary = message;
          }
        }
      }
    }

    @Override
    public synchronized void onClose(Status status, Metadata trailers) {
      if (ended) {
        return;
      }
      ended = true;
      if (failure != null) {
        status = failure;
        trailers = new Metadata();
      }
      switch (kind) {
        case GRPC_WEB, GRPC_WEB_TEXT -> {
          head(200, contentType());
          sink.body(encode(GrpcWebCodec.trailerFrame(status.getCode().value(), status.getDescription(), trailers)));
        }
        case CONNECT_STREAM -> {
          head(200, contentType());
          sink.body(GrpcWebCodec.frame(GrpcWebCodec.END_STREAM, ConnectCodec.endStream(status, trailers)));
        }
        default -> unaryClose(status, trailers);
      }
      sink.end();
    }

    private void unaryClose(Status status, Metadata trailers) {
      byte[] body = null;
      if (status.isOk() && unary == null) {
        status = Status.INTERNAL.withDescription("the mock answered a unary call without a message");
      } else if (status.isOk()) {
        body = unary;
        if (json) {
          Descriptors.Descriptor type = ConnectCodec.type(settings.schema(), request.path(), false);
          try {
            body = ConnectCodec.toJson(unary, type, settings.schema());
          } catch (InvalidProtocolBufferException | RuntimeException e) {
            body = null;
            status = Status.INTERNAL.withDescription("the reply is not a " + type.getFullName() + ": " + Failures.oneLine(e));
          }
        }
      }
      List<Map.Entry<String, String>> extra = new ArrayList<>();
      for (Map.Entry<String, String> t : headers(trailers)) {
        if (!t.getKey().equals(ConnectCodec.STATUS_DETAILS.name())) {
          extra.add(Map.entry("trailer-" + t.getKey(), t.getValue()));
        }
      }
      if (body != null) {
        head(200, json ? "application/json" : "application/proto", extra);
        sink.body(body);
      } else {
        head(ConnectCodec.httpStatus(status.getCode()), "application/json", extra);
        sink.body(ConnectCodec.json(ConnectCodec.error(status.getCode(), status.getDescription(), trailers)));
      }
    }

    private String contentType() {
      return switch (kind) {
        case GRPC_WEB -> "application/grpc-web+proto";
        case GRPC_WEB_TEXT -> "application/grpc-web-text+proto";
        default -> json ? "application/connect+json" : "application/connect+proto";
      };
    }

    private byte[] encode(byte[] frame) {
      return kind == Kind.GRPC_WEB_TEXT ? Base64.getEncoder().encode(frame) : frame;
    }

    private void head(int status, String contentType) {
      head(status, contentType, List.of());
    }

    private void head(int status, String contentType, List<Map.Entry<String, String>> extra) {
      if (headSent) {
        return;
      }
      headSent = true;
      List<Map.Entry<String, String>> out = cors(request);
      out.add(Map.entry("content-type", contentType));
      java.util.Set<String> names = new java.util.LinkedHashSet<>();
      for (Map.Entry<String, String> h : headers(headers)) {
        if (!NOT_METADATA.contains(h.getKey())) {
          out.add(h);
          names.add(h.getKey());
        }
      }
      for (Map.Entry<String, String> h : extra) {
        out.add(h);
        names.add(h.getKey());
      }
      if (!names.isEmpty()) {
        // A page reads only the response headers it is allowed to: the mock's metadata too.
        out.replaceAll(h -> h.getKey().equals("access-control-expose-headers")
            ? Map.entry(h.getKey(), h.getValue() + ", " + String.join(", ", names)) : h);
      }
      sink.head(status, out);
    }
  }
}
