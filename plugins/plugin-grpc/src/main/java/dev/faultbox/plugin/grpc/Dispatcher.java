package dev.faultbox.plugin.grpc;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.TypeRegistry;
import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.plugin.support.RequestLoop;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultProbe;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockRequest;
import dev.faultbox.spi.MockResponse;
import io.grpc.Context;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoFileDescriptorSupplier;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves every call of one mock: byte-level methods for any name (the fallback registry) and,
 * for typed mocks, the set's services with their descriptors so reflection lists them. Each call
 * asks the fault gate, waits its delay, then answers from the route table. Events are emitted
 * before the reply or status leaves.
 */
final class Dispatcher {

  static final String OP_OK = "ok";
  static final String OP_ERROR = "error";
  static final String OP_UNMATCHED = "unmatched";
  /** A request refused before the routes: a malformed :path or message frame, too large, an unknown encoding. */
  static final String OP_BAD_REQUEST = "bad_request";
  /** A client message of a streaming call, and a server message of one. */
  static final String OP_RECV = "recv";
  static final String OP_SEND = "send";
  private static final String REFLECTION = "/grpc.reflection.";
  /** How a stream finds its {@link Trace} from the call's context. */
  private static final Context.Key<Trace> TRACE = Context.key("faultbox-grpc-trace");
  /** grpc-java's description of a message over the limit, which names the declared size. */
  private static final Pattern TOO_BIG = Pattern.compile("exceeds maximum size \\d+: (-?\\d+)$");

  /** Messages as bytes: the route table encodes, the transport only frames. */
  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new MessageStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  /**
   * A message's bytes as grpc-java's framer takes them best: of a known length, drained in one
   * write. A plain stream would be copied through buffers of its own first, which halved the
   * messages a stream sends per second.
   */
  private static final class MessageStream extends ByteArrayInputStream implements KnownLength, Drainable {
    MessageStream(byte[] message) {
      super(message);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int n = count - pos;
      target.write(buf, pos, n);
      pos = count;
      return n;
    }
  }

  final MockDefinition definition;
  final MockContext context;
  final GrpcSettings settings;
  private final ServerCallHandler<byte[], byte[]> handler = this::startCall;
  private final GrpcAnswers answers = new GrpcAnswers();
  private final MockExchange<Call, GrpcReply> exchange;
  private final RequestLoop loop;

  Dispatcher(MockContext context, GrpcSettings settings) {
    this.definition = settings.definition();
    this.context = context;
    this.settings = settings;
    this.exchange = new MockExchange<>(definition, context, answers);
    this.loop = RequestLoop.anyThread(context.scheduler());
  }

  /** Every method name, served by the route table. */
  HandlerRegistry registry() {
    // Definitions are made once per method name; the cache is bounded, as clients choose the names.
    Map<String, ServerMethodDefinition<byte[], byte[]>> known = new ConcurrentHashMap<>();
    return new HandlerRegistry() {
      @Override
      public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
        ServerMethodDefinition<byte[], byte[]> cached = known.get(methodName);
        if (cached != null) {
          return cached;
        }
        // UNKNOWN, as the mock learns from the route and the client whether the call streams;
        // grpc-java then lets it send any number of messages, each flushed as it is sent.
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNKNOWN)
            .setFullMethodName(methodName)
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
        ServerMethodDefinition<byte[], byte[]> served = ServerMethodDefinition.create(method, handler);
        if (known.size() < 1024) {
          known.put(methodName, served);
        }
        return served;
      }
    };
  }

  /**
   * A set's service described for grpc-java, with its schema so reflection lists it: made once,
   * when the mock is prepared.
   */
  static ServiceDescriptor describe(Descriptors.ServiceDescriptor service) {
    ServiceDescriptor.Builder description =
        ServiceDescriptor.newBuilder(service.getFullName()).setSchemaDescriptor(new ServiceSchema(service));
    for (Descriptors.MethodDescriptor m : service.getMethods()) {
      MethodDescriptor.MethodType type = m.isClientStreaming()
          ? (m.isServerStreaming() ? MethodDescriptor.MethodType.BIDI_STREAMING : MethodDescriptor.MethodType.CLIENT_STREAMING)
          : (m.isServerStreaming() ? MethodDescriptor.MethodType.SERVER_STREAMING : MethodDescriptor.MethodType.UNARY);
      description.addMethod(MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(type)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(service.getFullName(), m.getName()))
          .setRequestMarshaller(BYTES)
          .setResponseMarshaller(BYTES)
          .setSchemaDescriptor(new MethodSchema(m))
          .build());
    }
    return description.build();
  }

  /** A described service (see {@link #describe}), served by the route table. */
  @SuppressWarnings("unchecked") // describe() made every method on the byte marshallers
  ServerServiceDefinition service(ServiceDescriptor service) {
    ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(service);
    for (MethodDescriptor<?, ?> method : service.getMethods()) {
      definition.addMethod((MethodDescriptor<byte[], byte[]>) method, handler);
    }
    return definition.build();
  }

  private static class ServiceSchema implements ProtoFileDescriptorSupplier, ProtoServiceDescriptorSupplier {
    final Descriptors.ServiceDescriptor service;

    ServiceSchema(Descriptors.ServiceDescriptor service) {
      this.service = service;
    }

    @Override
    public Descriptors.FileDescriptor getFileDescriptor() {
      return service.getFile();
    }

    @Override
    public Descriptors.ServiceDescriptor getServiceDescriptor() {
      return service;
    }
  }

  private static final class MethodSchema extends ServiceSchema implements ProtoMethodDescriptorSupplier {
    final Descriptors.MethodDescriptor method;

    MethodSchema(Descriptors.MethodDescriptor method) {
      super(method.getService());
      this.method = method;
    }

    @Override
    public Descriptors.MethodDescriptor getMethodDescriptor() {
      return method;
    }
  }

  // ---- one call --------------------------------------------------------------------------

  /**
   * One HTTP/2 stream, from its headers to its close, whoever ends it. It holds the one-answer
   * guard, so a stream that ends without the mock's answer (the client gave up, or the transport
   * refused its bytes: an oversized or malformed message, an unknown grpc-encoding) is still
   * recorded once, with the status it ended with.
   */
  final class Trace extends ServerStreamTracer {
    final String method;
    final long started = System.nanoTime();
    final AtomicBoolean answered = new AtomicBoolean();
    volatile Call call;
    /** Served by one of grpc-java's services (a typed mock's reflection), not by the routes: not recorded. */
    volatile boolean foreign;

    Trace(String fullMethodName) {
      this.method = "/" + fullMethodName;
    }

    @Override
    public Context filterContext(Context context) {
      return context.withValue(TRACE, this);
    }

    @Override
    public void serverCallStarted(ServerCallInfo<?, ?> info) {
      foreign = info.getMethodDescriptor().getRequestMarshaller() != BYTES;
    }

    @Override
    public void streamClosed(Status status) {
      if (!status.isOk() && !foreign && answered.compareAndSet(false, true)) {
        ended(this, status);
      }
    }
  }

  /** Follows every stream of the mock; see {@link Trace}. */
  ServerStreamTracer.Factory tracer() {
    return new ServerStreamTracer.Factory() {
      @Override
      public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
        return new Trace(fullMethodName);
      }
    };
  }

  /** One call's state, once a handler of the mock took the stream. */
  final class Call {
    final Trace trace;
    final ServerCall<byte[], byte[]> call;
    final String method;
    final Metadata headers;
    /** The method's route and, on a typed mock, its descriptor: looked up once, when the call starts. */
    final RouteTable.Match match;
    final Descriptors.MethodDescriptor typed;
    final Map<String, Object> extra = new ConcurrentHashMap<>();
    byte[] request;
    volatile int reqSize;
    /** Set once the call streams: its frames and their counts. */
    volatile StreamCall stream;

    Call(Trace trace, ServerCall<byte[], byte[]> call, Metadata headers, RouteTable.Match match,
        Descriptors.MethodDescriptor typed) {
      this.trace = trace;
      this.call = call;
      this.headers = headers;
      this.method = trace.method;
      this.match = match;
      this.typed = typed;
    }

    /** True once: the caller answers the call (or records how it ended). */
    boolean claim() {
      return trace.answered.compareAndSet(false, true);
    }
  }

  private static final ServerCall.Listener<byte[]> IGNORE = new ServerCall.Listener<>() {};

  private ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> serverCall, Metadata headers) {
    Trace trace = TRACE.get();
    if (trace == null) {
      trace = new Trace(serverCall.getMethodDescriptor().getFullMethodName());
    }
    String method = trace.method;
    Call call = new Call(trace, serverCall, headers, settings.routes().match(method), typed(method));
    String via = WebCalls.VIA.get();
    if (via != null) {
      call.extra.put("protocol", via); // a gRPC-Web or Connect call, reached in-process
    }
    trace.call = call;
    if (call.method.startsWith(REFLECTION)) {
      noReflection(call);
      return IGNORE;
    }
    Descriptors.MethodDescriptor typed = call.typed;
    RouteTable.Match match = call.match;
    if (typed != null ? typed.isClientStreaming() || typed.isServerStreaming() : StreamCall.declaresStream(match)) {
      // The descriptor says the method streams, or the route's reply does: a stream from the start.
      return new StreamCall(this, call, match, typed).start(null);
    }
    serverCall.request(2);
    return new ServerCall.Listener<>() {
      StreamCall stream;

      @Override
      public void onMessage(byte[] message) {
        if (stream != null) {
          stream.listener().onMessage(message);
        } else if (call.request == null) {
          call.request = message;
          call.reqSize = message.length;
        } else {
          // Served as unary until the client sends a second message: then it streams.
          stream = new StreamCall(Dispatcher.this, call, match, typed);
          stream.start(call.request);
          stream.listener().onMessage(message);
        }
      }

      @Override
      public void onHalfClose() {
        if (stream != null) {
          stream.listener().onHalfClose();
          return;
        }
        if (call.trace.answered.get()) {
          return;
        }
        if (call.request == null) {
          status(call, OP_ERROR, Status.Code.INTERNAL.value(), "Half-closed without a request", null);
          return;
        }
        serve(call);
      }

      @Override
      public void onCancel() {
        if (stream != null) {
          stream.listener().onCancel();
        }
      }
    };
  }

  /** The method as the descriptor set has it; null for an untyped mock or a method not in the set. */
  Descriptors.MethodDescriptor typed(String method) {
    return settings.schema() == null ? null : settings.schema().method(method);
  }

  /**
   * A reflection call to a mock without descriptors: UNIMPLEMENTED at once (reflection clients
   * keep the stream open for more questions), past faults and catch-all routes. Recorded as
   * unmatched, unless it is the call step's own probe, which is the tool's traffic, not the SUT's.
   */
  private void noReflection(Call call) {
    String message = "no reflection: this mock has no descriptors";
    if (CallStep.PROBE_VALUE.equals(call.headers.get(CallStep.PROBE))) {
      if (call.claim()) {
        close(call, Status.UNIMPLEMENTED.withDescription(message));
      }
    } else {
      status(call, OP_UNMATCHED, Status.Code.UNIMPLEMENTED.value(), message, null);
    }
  }

  private void serve(Call call) {
    exchange.serve(loop, call, outcome -> {
      if (call.claim()) {
        send(call, outcome.emit());
      }
    });
  }

  /**
   * How a grpc mock answers in a {@link MockExchange}: a fault as its status (DROP and RESET as
   * UNAVAILABLE), the matched route's prepared reply or its handler's answer, UNIMPLEMENTED when
   * no route matches, INTERNAL for a failed handler. grpc-java calls the mock on its transport
   * threads and lets any thread answer a call, so the exchange runs on {@link RequestLoop#anyThread}.
   */
  private final class GrpcAnswers implements MockExchange.Answers<Call, GrpcReply> {

    @Override
    public String mockKind() {
      return "a grpc mock";
    }

    @Override
    public boolean logsStackTraces() {
      return false; // a grpc mock's log lines are one line each
    }

    @Override
    public FaultProbe probe(Call call) {
      return Dispatcher.probe(call);
    }

    @Override
    public Map<String, Object> fields(Call call) {
      return call.extra; // a call that ends before its answer is recorded with them too
    }

    @Override
    public GrpcReply fault(Call call, FaultDecision decision) {
      if (decision.action() == FaultDecision.Action.DROP || decision.action() == FaultDecision.Action.RESET) {
        return GrpcReply.status(OP_ERROR, Status.Code.UNAVAILABLE.value(), "connection dropped");
      }
      int code = decision.status() >= 1 && decision.status() <= 16 ? decision.status() : Status.Code.INTERNAL.value();
      return GrpcReply.status(OP_ERROR, code, decision.message());
    }

    @Override
    public MockExchange.Routed<GrpcReply> route(Call call, Map<String, Object> fields) {
      try {
        return routeOrThrow(call, fields);
      } catch (RuntimeException e) {
        context.logger().warn("{}: serving {} failed: {}", name(), call.method, Failures.oneLine(e));
        return failedWith(fields, Status.Code.INTERNAL, "mock failed: " + Failures.oneLine(e), Failures.oneLine(e));
      }
    }

    private MockExchange.Routed<GrpcReply> routeOrThrow(Call call, Map<String, Object> fields) {
      RouteTable.Match match = call.match;
      if (match == null) {
        return ready(GrpcReply.status(OP_UNMATCHED, Status.Code.UNIMPLEMENTED.value(), "no route for " + call.method));
      }
      fields.put("route", match.route().key());
      PreparedReply reply = match.reply();
      Descriptors.MethodDescriptor typed = call.typed;
      Message request = null;
      if (typed != null || reply instanceof PreparedReply.Dynamic) {
        // A typed method's request is checked whatever answers it, as a real server's would be.
        try {
          request = decode(call.request, typed);
        } catch (InvalidProtocolBufferException e) {
          String detail = "decode request for " + call.method + ": not a "
              + (typed != null ? typed.getInputType().getFullName() : "google.protobuf.Struct") + " (" + Failures.oneLine(e) + ")";
          return failedWith(fields, Status.Code.INVALID_ARGUMENT, detail, detail);
        }
      }
      if (reply instanceof PreparedReply.Fixed fixed) {
        return ready(GrpcReply.ok(fixed.bytes()));
      } else if (reply instanceof PreparedReply.Status s) {
        return ready(s.code() == 0 ? GrpcReply.ok(new byte[0]) : GrpcReply.status(OP_ERROR, s.code(), s.message(), s.details()));
      } else if (reply instanceof PreparedReply.Broken broken) {
        String detail = "encode reply for " + call.method + ": " + broken.detail();
        return failedWith(fields, Status.Code.INTERNAL, detail, detail);
      } else if (!(reply instanceof PreparedReply.Dynamic)) {
        // A stream's reply under a glob that also covers this unary method of the set.
        String detail = GrpcSettings.kindMismatch(reply, typed);
        return failedWith(fields, Status.Code.INTERNAL, detail, detail);
      }
      PreparedReply.Dynamic dynamic = (PreparedReply.Dynamic) reply;
      return new MockExchange.Routed.Ask<>(dynamic.handler(), mockRequest(call, request));
    }

    @Override
    public GrpcReply respond(Call call, MockResponse response) throws MockExchange.Refusal {
      try {
        return answer(call, response);
      } catch (RuntimeException e) {
        context.logger().warn("{}: completing {} failed: {}", name(), call.method, Failures.oneLine(e));
        throw new MockExchange.Refusal(Failures.oneLine(e));
      }
    }

    private GrpcReply answer(Call call, MockResponse response) throws MockExchange.Refusal {
      if (response instanceof MockResponse.Structured message) {
        try {
          return GrpcReply.ok(encodeDynamic(call.method, message));
        } catch (IllegalArgumentException e) {
          throw new MockExchange.Refusal("encode reply for " + call.method + ": " + e.getMessage());
        }
      } else if (response instanceof MockResponse.Status s) {
        int code;
        ErrorDetails.Encoded details;
        try {
          code = Codes.resolve(s.code());
          details = ErrorDetails.encode(code, s.message(), s.details(), settings.schema());
        } catch (IllegalArgumentException e) {
          throw new MockExchange.Refusal("dynamic handler answered " + e.getMessage());
        }
        return code == 0 ? GrpcReply.ok(new byte[0]) : GrpcReply.status(OP_ERROR, code, s.message(), details);
      } else if (response instanceof MockResponse.Static s && s.body() != null) {
        String refused = GrpcSettings.refusal(s);
        if (refused != null) {
          throw new MockExchange.Refusal("dynamic handler answered: " + refused);
        }
        return GrpcReply.ok(s.body());
      }
      throw MockExchange.Refusal.kind(response instanceof MockResponse.Dynamic ? "dynamic()" : "no response");
    }

    @Override
    public GrpcReply failed(Call call, String error) {
      return GrpcReply.status(OP_ERROR, Status.Code.INTERNAL.value(), error);
    }

    @Override
    public MockEvent event(Call call, GrpcReply reply, Map<String, Object> extra) {
      Map<String, Object> fields = callFields(call.trace, reply.code(), reply.message(), call.reqSize);
      if (reply.isOk()) {
        fields.put("resp_size", reply.body().length);
      }
      if (reply.details() != null) {
        fields.put("details", reply.details().types());
      }
      fields.putAll(extra);
      return definition.event(reply.op(), fields);
    }

    private MockExchange.Routed<GrpcReply> ready(GrpcReply reply) {
      return new MockExchange.Routed.Ready<>(reply);
    }

    /** A status for what failed inside the mock, recorded as the event's {@code error}. */
    private MockExchange.Routed<GrpcReply> failedWith(
        Map<String, Object> fields, Status.Code code, String message, String error) {
      fields.put("error", error);
      return ready(GrpcReply.status(OP_ERROR, code.value(), message));
    }
  }

  /** A call as fault rules match it: by its full method. */
  static FaultProbe probe(Call call) {
    return new FaultProbe(call.method, Map.of("method", call.method));
  }

  /** The request as the method's input type, or as a Struct when the method is not typed. */
  static Message decode(byte[] request, Descriptors.MethodDescriptor typed) throws InvalidProtocolBufferException {
    return typed != null ? DynamicMessage.parseFrom(typed.getInputType(), request) : Struct.parseFrom(request);
  }

  byte[] encodeDynamic(String method, MockResponse.Structured message) {
    Schema schema = settings.schema();
    Descriptors.MethodDescriptor descriptor = schema == null ? null : schema.method(method);
    if (descriptor == null) {
      return Messages.struct(message.body()).toByteArray();
    }
    return Messages.encode(descriptor.getOutputType(), message.body(), schema.registry()).toByteArray();
  }

  /** The request a handler sees: the decoded message as JSON text and as plain values. */
  MockRequest mockRequest(Call call, Message message) {
    String json;
    Map<String, Object> decoded;
    if (message instanceof Struct struct) {
      json = Messages.json(struct, TypeRegistry.getEmptyTypeRegistry());
      decoded = Messages.plain(struct);
    } else {
      json = Messages.json(message, settings.schema().registry());
      decoded = Messages.plain(message, settings.schema().registry());
    }
    Map<String, String> metadata = metadata(call.headers);
    Map<String, Object> extras = new LinkedHashMap<>();
    extras.put("request", decoded);
    extras.put("metadata", new LinkedHashMap<String, Object>(metadata));
    return new MockRequest("POST", call.method, metadata, Map.of(), json.getBytes(StandardCharsets.UTF_8), extras);
  }

  /** Metadata, first value each; binary values base64. */
  static Map<String, String> metadata(Metadata headers) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : headers.keys()) {
      if (key.startsWith(":")) {
        continue;
      }
      if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        byte[] value = headers.get(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER));
        if (value != null) {
          out.putIfAbsent(key, Base64.getEncoder().encodeToString(value));
        }
      } else {
        String value = headers.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        if (value != null) {
          out.putIfAbsent(key, value);
        }
      }
    }
    return out;
  }

  // ---- answers ---------------------------------------------------------------------------

  /** Writes a call's reply; its event is recorded already. */
  private void send(Call call, GrpcReply reply) {
    if (!reply.isOk()) {
      Metadata trailers = new Metadata();
      if (reply.details() != null) {
        trailers.put(ErrorDetails.TRAILER, reply.details().status());
      }
      close(call, Status.fromCode(reply.code()).withDescription(reply.message()), trailers);
      return;
    }
    try {
      call.call.sendHeaders(new Metadata());
      call.call.sendMessage(reply.body());
      call.call.close(Status.OK, new Metadata());
    } catch (RuntimeException e) {
      context.logger().debug("{}: reply to {} not sent", name(), call.method, e);
    }
  }

  /**
   * Answers a call with a status before it reaches the exchange (a streaming call, no request,
   * a reflection call without descriptors).
   *
   * @param error what failed inside the mock, recorded as the event's {@code error}; null if none
   */
  private void status(Call call, String op, int code, String message, String error) {
    if (!call.claim()) {
      return;
    }
    GrpcReply reply = GrpcReply.status(op, code, message);
    Map<String, Object> extra = new LinkedHashMap<>();
    if (error != null) {
      extra.put("error", error);
    }
    send(call, exchange.outcome(answers.event(call, reply, extra), reply).emit());
  }

  void close(Call call, Status status) {
    close(call, status, new Metadata());
  }

  void close(Call call, Status status, Metadata trailers) {
    try {
      call.call.close(status, trailers);
    } catch (RuntimeException e) {
      context.logger().debug("{}: status for {} not sent", name(), call.method, e);
    }
  }

  /**
   * Records a stream that ended without the mock's answer. A client that went away is an error;
   * a status the transport sent on its own (bytes it refused) is a bad request, with the status
   * and message the client got.
   */
  private void ended(Trace trace, Status status) {
    Status.Code code = status.getCode();
    boolean gone = code == Status.Code.CANCELLED || code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.UNAVAILABLE;
    String message = code == Status.Code.CANCELLED
        ? "the client cancelled the call before it was answered"
        : Objects.requireNonNullElse(status.getDescription(), "");
    Call call = trace.call;
    Map<String, Object> fields = callFields(trace, code, message, call == null ? 0 : call.reqSize);
    Matcher tooBig = TOO_BIG.matcher(message);
    if (code == Status.Code.RESOURCE_EXHAUSTED && tooBig.find()) {
      // The size the client declared; grpc-java reads the 4-byte prefix as signed.
      fields.put("req_size", Integer.toUnsignedLong(Integer.parseInt(tooBig.group(1))));
    }
    emit(definition.event(gone ? OP_ERROR : OP_BAD_REQUEST, fields));
  }

  /**
   * Records a request {@link RequestCheck} refused with UNIMPLEMENTED before it was a call.
   *
   * @param path the raw {@code :path}, or null; the event's {@code method} when it names one, else its {@code path}
   */
  void refused(String path, boolean isMethod, String message) {
    Map<String, Object> fields = new LinkedHashMap<>();
    if (path != null) {
      fields.put(isMethod ? "method" : "path", path);
    }
    fields.put("code", Status.Code.UNIMPLEMENTED.name());
    fields.put("message", message);
    fields.put("req_size", 0);
    fields.put("duration_ms", 0L);
    emit(definition.event(OP_BAD_REQUEST, fields));
  }

  /**
   * A call grpc-netty refused with an HTTP error before any handler saw it (a method other than
   * POST, a content type that is not gRPC): op bad_request with the HTTP {@code status} and the
   * INTERNAL it sends along.
   */
  void refusedByTransport(String path, int status, String message) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("method", path);
    fields.put("status", status);
    fields.put("code", Status.Code.INTERNAL.name());
    fields.put("message", message);
    fields.put("req_size", 0);
    fields.put("duration_ms", 0L);
    emit(definition.event(OP_BAD_REQUEST, fields));
  }

  /** The fields every call's event has; {@code message} null leaves it out. */
  static Map<String, Object> callFields(Trace trace, Status.Code code, String message, int reqSize) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("method", trace.method);
    fields.put("code", code.name());
    if (message != null) {
      fields.put("message", message);
    }
    fields.put("req_size", reqSize);
    fields.put("duration_ms", (System.nanoTime() - trace.started) / 1_000_000);
    Call call = trace.call;
    if (call != null) {
      fields.putAll(call.extra);
      StreamCall stream = call.stream;
      if (stream != null) {
        stream.counts(fields);
      }
    }
    return fields;
  }

  void emit(MockEvent event) {
    exchange.emit(event);
  }

  String name() {
    return definition.service() + "." + definition.iface().name();
  }
}
