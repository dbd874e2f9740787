package dev.faultbox.plugin.grpc;

import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.StepArgs;
import dev.faultbox.plugin.support.Trust;
import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.TypeRegistry;
import dev.faultbox.plugin.support.Config;
import dev.faultbox.plugin.support.EventLoops;
import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.StepException;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.spi.StepResult;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code call(method = "/pkg.Svc/Method", body = {...}, metadata = {...}, timeout_ms = 10000)} on
 * a grpc interface, and {@code stream(method =, bodies = [...] or body =, metadata =, timeout_ms =)}
 * for a streaming method: it sends every body, half-closes, and returns every reply message as
 * {@code .json} (a list; {@code .count} of them) with the status as {@code call} has it. The request and reply types come from the target's server reflection (v1,
 * then v1alpha), cached per endpoint and service; a server without reflection gets the body as a
 * {@code google.protobuf.Struct} and its reply is read as one. Any status is a response
 * ({@code ok} only for OK); bad arguments raise.
 */
final class CallStep implements StepMethod {

  static final List<String> PARAMETERS = List.of("method", "body", "metadata", "timeout_ms");
  static final List<String> STREAM_PARAMETERS = List.of("method", "body", "bodies", "metadata", "timeout_ms");
  /** The reply messages one stream step keeps; a stream sending more is cancelled there. */
  static final int MAX_STREAM_REPLIES = 10_000;
  static final long DEFAULT_TIMEOUT_MS = 10_000;
  /**
   * Marks the step's reflection probes, so a mock without descriptors leaves no event for them:
   * they are the tool's own traffic, not the system's under test.
   */
  static final Metadata.Key<String> PROBE = Metadata.Key.of("faultbox-probe", Metadata.ASCII_STRING_MARSHALLER);
  static final String PROBE_VALUE = "reflection";
  private static final ClientInterceptor MARK_PROBE = MetadataUtils.newAttachHeadersInterceptor(probeHeaders());

  private static Metadata probeHeaders() {
    Metadata headers = new Metadata();
    headers.put(PROBE, PROBE_VALUE);
    return headers;
  }

  /** How many files one reflection lookup may fetch. */
  private static final int MAX_REFLECTED_FILES = 200;

  private record CacheKey(String service, String iface, String host, int port, boolean tls, String grpcService) {}

  /** A service's types as reflection told them; empty when the server has no reflection or no such service. */
  private record Reflected(Optional<Schema> schema) {}

  private final Map<CacheKey, Reflected> reflected = new ConcurrentHashMap<>();

  /** Forgets what reflection told: the next run may serve other types on the same port. */
  void forget() {
    reflected.clear();
  }

  @Override
  public List<String> parameters() {
    return PARAMETERS;
  }

  /** The {@code stream} step, which shares this step's reflection cache. */
  StepMethod streamStep() {
    return new StepMethod() {
      @Override
      public List<String> parameters() {
        return STREAM_PARAMETERS;
      }

      @Override
      public StepResult call(Endpoint target, Map<String, Object> kwargs) {
        StepArgs args = StepArgs.of("stream", kwargs).only(STREAM_PARAMETERS);
        return run(target, args, bodies(args));
      }
    };
  }

  @Override
  public StepResult call(Endpoint target, Map<String, Object> kwargs) {
    StepArgs args = StepArgs.of("call", kwargs).only(PARAMETERS);
    return run(target, args, null);
  }

  /** @param bodies a stream's messages; null for a unary call of {@code body} */
  private StepResult run(Endpoint target, StepArgs args, List<Map<String, Object>> bodies) {
    String step = bodies == null ? "call" : "stream";
    String method = method(args, step);
    Map<String, Object> body = bodies == null ? body(args) : null;
    Metadata metadata = metadata(args);
    long timeoutMs = args.timeoutMs(DEFAULT_TIMEOUT_MS);
    String service = method.substring(1, method.lastIndexOf('/'));

    long started = System.nanoTime();
    long deadline = started + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    ManagedChannel channel = channel(target);
    try {
      CacheKey key = new CacheKey(target.service(), target.iface(), target.host(), target.port(), target.tls(), service);
      Reflected types = reflected.get(key);
      if (types == null) {
        Object looked = reflect(channel, service, deadline);
        if (looked instanceof Status failure) {
          if (transportFailure(failure)) {
            return result(failure, null, new Metadata(), null, started);
          }
          // A status the server chose (a fault rule answering the probe, say): call untyped, ask again next time.
          types = new Reflected(Optional.empty());
        } else {
          types = (Reflected) looked;
          reflected.put(key, types);
        }
      }
      Descriptors.MethodDescriptor descriptor = types.schema().map(s -> s.method(method)).orElse(null);
      TypeRegistry registry = types.schema().map(Schema::registry).orElse(TypeRegistry.getEmptyTypeRegistry());

      if (bodies != null) {
        List<byte[]> requests = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
          requests.add(encode(descriptor, registry, bodies.get(i), "stream() bodies[" + i + "]"));
        }
        Streamed streamed = streamed(channel, method, requests, metadata, deadline);
        return streamResult(streamed, decoder(descriptor, registry), started);
      }
      byte[] request = encode(descriptor, registry, body, "call() body=");
      Outcome outcome = unary(channel, method, request, metadata, deadline);
      return result(outcome.status, outcome.reply, outcome.headers, decoder(descriptor, registry), started);
    } finally {
      channel.shutdownNow();
      try {
        channel.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static byte[] encode(Descriptors.MethodDescriptor descriptor, TypeRegistry registry, Map<String, Object> body,
      String what) {
    try {
      return descriptor != null
          ? Messages.encode(descriptor.getInputType(), body, registry).toByteArray()
          : Messages.struct(body).toByteArray();
    } catch (IllegalArgumentException e) {
      throw new StepException(what + " does not fit "
          + (descriptor != null ? descriptor.getInputType().getFullName() : "google.protobuf.Struct") + ": " + e.getMessage());
    }
  }

  /** Whether a reflection failure means the server cannot be reached, rather than a status it sent. */
  private static boolean transportFailure(Status status) {
    return switch (status.getCode()) {
      case DEADLINE_EXCEEDED, CANCELLED -> true;
      case UNAVAILABLE, UNKNOWN, INTERNAL -> status.getCause() != null;
      default -> false;
    };
  }

  // ---- the call --------------------------------------------------------------------------

  private record Outcome(Status status, byte[] reply, Metadata headers) {}

  /** One request, the first reply: a unary call, so the client refuses a second message as grpc-java's stubs do. */
  private static Outcome unary(ManagedChannel channel, String method, byte[] request, Metadata metadata, long deadline) {
    Streamed s = exchange(channel, method, MethodDescriptor.MethodType.UNARY, List.of(request), metadata, deadline);
    return new Outcome(s.status(), s.replies().isEmpty() ? null : s.replies().get(0), s.headers());
  }

  private record Streamed(Status status, List<byte[]> replies, Metadata headers) {}

  private static Streamed streamed(
      ManagedChannel channel, String method, List<byte[]> requests, Metadata metadata, long deadline) {
    return exchange(channel, method, MethodDescriptor.MethodType.BIDI_STREAMING, requests, metadata, deadline);
  }

  /** Sends every request, half-closes, and reads replies until the status (at most {@link #MAX_STREAM_REPLIES}). */
  private static Streamed exchange(ManagedChannel channel, String method, MethodDescriptor.MethodType type,
      List<byte[]> requests, Metadata metadata, long deadline) {
    MethodDescriptor<byte[], byte[]> descriptor = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(type)
        .setFullMethodName(method.substring(1))
        .setRequestMarshaller(Dispatcher.BYTES)
        .setResponseMarshaller(Dispatcher.BYTES)
        .build();
    long left = Math.max(1, deadline - System.nanoTime());
    ClientCall<byte[], byte[]> call =
        channel.newCall(descriptor, CallOptions.DEFAULT.withDeadlineAfter(left, TimeUnit.NANOSECONDS));
    CompletableFuture<Streamed> done = new CompletableFuture<>();
    Metadata received = new Metadata();
    List<byte[]> replies = new ArrayList<>();
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onHeaders(Metadata headers) {
        synchronized (received) {
          received.merge(headers);
        }
      }

      @Override
      public void onMessage(byte[] message) {
        synchronized (received) {
          replies.add(message);
          if (replies.size() >= MAX_STREAM_REPLIES) {
            call.cancel("the stream step keeps at most " + MAX_STREAM_REPLIES + " replies", null);
          } else {
            call.request(1);
          }
        }
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        synchronized (received) {
          received.merge(trailers);
          done.complete(new Streamed(status, List.copyOf(replies), received));
        }
      }
    }, metadata);
    try {
      call.request(1);
      for (byte[] request : requests) {
        call.sendMessage(request);
      }
      call.halfClose();
    } catch (RuntimeException e) {
      call.cancel("sending failed", e);
    }
    return await(done, deadline, () -> call.cancel("step timed out", null),
        status -> {
          synchronized (received) {
            return new Streamed(status, List.copyOf(replies), new Metadata());
          }
        });
  }

  /** As {@link #result}, with every reply: {@code .json} is their list, {@code .count} how many. */
  private static StepResult.Response streamResult(Streamed streamed, Decoder decoder, long started) {
    StepResult.Response status = result(streamed.status(), null, streamed.headers(), null, started);
    Map<String, String> attributes = new LinkedHashMap<>(status.attributes());
    StringBuilder json = new StringBuilder("[");
    for (byte[] reply : streamed.replies()) {
      try {
        String one = decoder.json(reply);
        json.append(json.length() > 1 ? "," : "").append(one);
      } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
        attributes.putIfAbsent("decode_error", Failures.oneLine(e));
      }
    }
    attributes.put("count", Integer.toString(streamed.replies().size()));
    return new StepResult.Response(status.ok(), status.status(), json.append(']').toString().getBytes(StandardCharsets.UTF_8),
        status.headers(), status.error(), status.durationMs(), attributes);
  }

  private interface Fallback<T> {
    T of(Status status);
  }

  /** Waits for a call bounded by its deadline plus a grace for the status to arrive. */
  private static <T> T await(CompletableFuture<T> done, long deadline, Runnable cancel, Fallback<T> fallback) {
    long waitNanos = Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(2);
    try {
      return done.get(waitNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      cancel.run();
      return fallback.of(Status.DEADLINE_EXCEEDED.withDescription("no answer within the step's timeout"));
    } catch (InterruptedException e) {
      cancel.run();
      Thread.currentThread().interrupt();
      return fallback.of(Status.CANCELLED.withDescription("interrupted"));
    } catch (ExecutionException e) {
      return fallback.of(Status.fromThrowable(e.getCause()));
    }
  }

  private interface Decoder {
    String json(byte[] reply) throws InvalidProtocolBufferException;
  }

  private static Decoder decoder(Descriptors.MethodDescriptor descriptor, TypeRegistry registry) {
    if (descriptor != null) {
      return bytes -> Messages.json(DynamicMessage.parseFrom(descriptor.getOutputType(), bytes), registry);
    }
    return bytes -> Messages.json(Struct.parseFrom(bytes), TypeRegistry.getEmptyTypeRegistry());
  }

  private static StepResult.Response result(Status status, byte[] reply, Metadata headers, Decoder decoder, long started) {
    long durationMs = (System.nanoTime() - started) / 1_000_000;
    String message = status.getDescription() == null ? "" : status.getDescription();
    if (status.getCode() == Status.Code.UNAVAILABLE && status.getCause() != null
        && status.getCause().getMessage() != null && !message.contains(status.getCause().getMessage())) {
      message = message.isEmpty() ? Failures.oneLine(status.getCause())
          : message + ": " + Failures.oneLine(status.getCause());
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("code", status.getCode().name());
    attributes.put("message", message);
    boolean ok = status.isOk();
    byte[] body = new byte[0];
    if (ok && reply != null && decoder != null) {
      try {
        body = decoder.json(reply).getBytes(StandardCharsets.UTF_8);
      } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
        attributes.put("decode_error", Failures.oneLine(e));
      }
    }
    String error = ok ? "" : status.getCode().name() + ": " + message;
    Map<String, String> metadata = Dispatcher.metadata(headers);
    metadata.remove("grpc-status");
    metadata.remove("grpc-message");
    return new StepResult.Response(ok, status.getCode().value(), body, metadata, error, durationMs, attributes);
  }

  // ---- reflection ------------------------------------------------------------------------

  /**
   * Asks the server for the service's types.
   *
   * @return a {@link Reflected} (empty when the server has no reflection or does not know the
   *     service), or the {@link Status} that ended the exchange
   */
  private static Object reflect(ManagedChannel channel, String service, long deadline) {
    Object v1 = reflect(channel, service, deadline, new V1());
    if (v1 instanceof Status status && status.getCode() == Status.Code.UNIMPLEMENTED) {
      Object alpha = reflect(channel, service, deadline, new V1Alpha());
      if (alpha instanceof Status s && s.getCode() == Status.Code.UNIMPLEMENTED) {
        return new Reflected(Optional.empty());
      }
      return alpha;
    }
    return v1;
  }

  /** What one reflection version needs: ask for a symbol or a file, read the files or an error. */
  private interface Version {
    /** Sends one request and returns the files, or null when the server answered an error. */
    List<ByteString> ask(ManagedChannel channel, String symbol, String file, long deadline) throws StatusException;
  }

  private static final class StatusException extends Exception {
    final Status status;

    StatusException(Status status) {
      super(status.toString(), null, false, false);
      this.status = status;
    }
  }

  private static Object reflect(ManagedChannel channel, String service, long deadline, Version version) {
    try {
      List<ByteString> first = version.ask(channel, service, null, deadline);
      if (first == null) {
        return new Reflected(Optional.empty());
      }
      Map<String, FileDescriptorProto> files = new LinkedHashMap<>();
      List<ByteString> pending = new ArrayList<>(first);
      Set<String> asked = new HashSet<>();
      while (files.size() < MAX_REFLECTED_FILES) {
        for (ByteString bytes : pending) {
          FileDescriptorProto file = FileDescriptorProto.parseFrom(bytes);
          files.putIfAbsent(file.getName(), file);
        }
        pending = new ArrayList<>();
        String missing = null;
        for (FileDescriptorProto file : files.values()) {
          for (String dependency : file.getDependencyList()) {
            if (!files.containsKey(dependency) && !DescriptorSets.WellKnown.FILES.containsKey(dependency) && asked.add(dependency)) {
              missing = dependency;
              break;
            }
          }
          if (missing != null) {
            break;
          }
        }
        if (missing == null) {
          break;
        }
        List<ByteString> more = version.ask(channel, null, missing, deadline);
        if (more != null) {
          pending.addAll(more);
        }
      }
      List<Descriptors.FileDescriptor> built = DescriptorSets.build(files.values(), "reflection");
      Schema schema = new Schema("reflection", built);
      return new Reflected(schema.services().containsKey(service) ? Optional.of(schema) : Optional.empty());
    } catch (StatusException e) {
      return e.status;
    } catch (InvalidProtocolBufferException | InvalidMockException e) {
      // The server described its types in a way we cannot use: fall back to Struct.
      return new Reflected(Optional.empty());
    }
  }

  private abstract static class Exchange<Q, R> {
    /** Runs one request on a bidi reflection stream and waits for the first response. */
    R exchange(StreamObserver<Q> requests, CompletableFuture<R> done, Q request, long deadline) throws StatusException {
      requests.onNext(request);
      requests.onCompleted();
      try {
        long waitNanos = Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(2);
        return done.get(waitNanos, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        requests.onError(Status.CANCELLED.withDescription("timed out").asRuntimeException());
        throw new StatusException(Status.DEADLINE_EXCEEDED.withDescription("no reflection answer within the step's timeout"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StatusException(Status.CANCELLED.withDescription("interrupted"));
      } catch (ExecutionException e) {
        throw new StatusException(Status.fromThrowable(e.getCause()));
      }
    }

    StreamObserver<R> responses(CompletableFuture<R> done) {
      return new StreamObserver<>() {
        @Override
        public void onNext(R value) {
          done.complete(value);
        }

        @Override
        public void onError(Throwable t) {
          done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
          done.completeExceptionally(Status.UNKNOWN.withDescription("reflection stream ended without an answer").asRuntimeException());
        }
      };
    }
  }

  private static final class V1
      extends Exchange<io.grpc.reflection.v1.ServerReflectionRequest, io.grpc.reflection.v1.ServerReflectionResponse>
      implements Version {
    @Override
    public List<ByteString> ask(ManagedChannel channel, String symbol, String file, long deadline) throws StatusException {
      var request = io.grpc.reflection.v1.ServerReflectionRequest.newBuilder();
      if (symbol != null) {
        request.setFileContainingSymbol(symbol);
      } else {
        request.setFileByFilename(file);
      }
      CompletableFuture<io.grpc.reflection.v1.ServerReflectionResponse> done = new CompletableFuture<>();
      long left = Math.max(1, deadline - System.nanoTime());
      var stub = io.grpc.reflection.v1.ServerReflectionGrpc.newStub(channel).withInterceptors(MARK_PROBE)
          .withDeadlineAfter(left, TimeUnit.NANOSECONDS);
      var response = exchange(stub.serverReflectionInfo(responses(done)), done, request.build(), deadline);
      return response.hasFileDescriptorResponse()
          ? response.getFileDescriptorResponse().getFileDescriptorProtoList()
          : null;
    }
  }

  @SuppressWarnings("deprecation")
  private static final class V1Alpha
      extends Exchange<io.grpc.reflection.v1alpha.ServerReflectionRequest, io.grpc.reflection.v1alpha.ServerReflectionResponse>
      implements Version {
    @Override
    public List<ByteString> ask(ManagedChannel channel, String symbol, String file, long deadline) throws StatusException {
      var request = io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder();
      if (symbol != null) {
        request.setFileContainingSymbol(symbol);
      } else {
        request.setFileByFilename(file);
      }
      CompletableFuture<io.grpc.reflection.v1alpha.ServerReflectionResponse> done = new CompletableFuture<>();
      long left = Math.max(1, deadline - System.nanoTime());
      var stub = io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(channel).withInterceptors(MARK_PROBE)
          .withDeadlineAfter(left, TimeUnit.NANOSECONDS);
      var response = exchange(stub.serverReflectionInfo(responses(done)), done, request.build(), deadline);
      return response.hasFileDescriptorResponse()
          ? response.getFileDescriptorResponse().getFileDescriptorProtoList()
          : null;
    }
  }

  // ---- channel ---------------------------------------------------------------------------

  private static ManagedChannel channel(Endpoint target) {
    // On plugin support's event loops, resolved here: no thread of grpc-java's own making.
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(new InetSocketAddress(target.host(), target.port()))
        .eventLoopGroup(EventLoops.group())
        .channelType(NioSocketChannel.class)
        .directExecutor()
        .maxInboundMessageSize(64 * 1024 * 1024)
        .proxyDetector(address -> null);
    if (target.tls()) {
      try {
        builder.sslContext(GrpcSslContexts.forClient().trustManager(Trust.manager(target.mockCa())).build());
      } catch (Exception e) {
        throw new StepException("call() cannot set up TLS: " + Failures.oneLine(e));
      }
    } else {
      builder.usePlaintext();
    }
    return builder.build();
  }

  // ---- arguments -------------------------------------------------------------------------

  private static String method(StepArgs args, String step) {
    String method = args.string("method");
    if (method == null) {
      throw new StepException(step + "() needs method=, e.g. method = \"/pkg.Service/Method\"");
    }
    RouteTable.Key key = RouteTable.parse(method);
    if (key == null || key.kind() != RouteTable.Kind.EXACT) {
      throw args.error("method", "must be a full method \"/pkg.Service/Method\", got \"" + method + "\"");
    }
    return method;
  }

  private static Map<String, Object> body(StepArgs args) {
    Object value = args.get("body");
    return value == null ? Map.of() : dict(args, "body", value);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> dict(StepArgs args, String name, Object value) {
    if (!(value instanceof Map<?, ?> map)) {
      throw args.error(name, "must be a dict, got " + Config.starlarkType(value));
    }
    for (Object key : map.keySet()) {
      if (!(key instanceof String)) {
        throw args.error(name, "keys must be str, got " + Config.starlarkType(key));
      }
    }
    return (Map<String, Object>) map;
  }

  /** A stream's messages: bodies = [...], or body = {...} as the one message; one empty message if neither. */
  private static List<Map<String, Object>> bodies(StepArgs args) {
    Object list = args.get("bodies");
    if (list != null && args.get("body") != null) {
      throw new StepException("stream() takes body= (one message) or bodies= (a list), not both");
    }
    if (list == null) {
      return List.of(body(args));
    }
    if (!(list instanceof List<?> items)) {
      throw args.error("bodies", "must be a list of dicts, got " + Config.starlarkType(list));
    }
    if (items.size() > MAX_STREAM_REPLIES) {
      throw args.error("bodies", "has " + items.size() + " messages; a stream step sends at most " + MAX_STREAM_REPLIES);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object item : items) {
      out.add(dict(args, "bodies", item));
    }
    return out;
  }

  private static Metadata metadata(StepArgs args) {
    Metadata metadata = new Metadata();
    for (Map.Entry<String, String> entry : args.stringDict("metadata").entrySet()) {
      String key = entry.getKey();
      String v = entry.getValue();
      try {
        if (key.toLowerCase(java.util.Locale.ROOT).endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
          metadata.put(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER), Base64.getDecoder().decode(v));
        } else {
          metadata.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), v);
        }
      } catch (IllegalArgumentException e) {
        throw args.error("metadata", "cannot send \"" + key + "\": " + Failures.oneLine(e));
      }
    }
    return metadata;
  }
}
