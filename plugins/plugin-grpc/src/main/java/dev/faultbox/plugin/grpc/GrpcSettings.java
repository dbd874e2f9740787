package dev.faultbox.plugin.grpc;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.faultbox.plugin.support.Config;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.Route;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A prepared definition: config with defaults, the schema of the descriptor set or of the compiled
 * {@code protos} (typed mocks), and the
 * compiled routes with every static reply encoded, made once when the spec loads; each test's
 * {@code start()} serves it as it is.
 *
 * @param schema the descriptor set's types; null for an untyped mock
 * @param services the set's services as grpc-java serves them; empty for an untyped mock
 * @param streams the bounds of one streaming call
 */
record GrpcSettings(
    MockDefinition definition, int maxMessageBytes, Schema schema, List<io.grpc.ServiceDescriptor> services,
    RouteTable routes, StreamLimits streams) implements PreparedMock {

  static final String DESCRIPTORS = "descriptors";
  static final String PROTOS = "protos";
  static final String IMPORT_PATHS = "import_paths";
  static final String MAX_MESSAGE_BYTES = "max_message_bytes";
  static final String STREAM_IDLE_TIMEOUT_MS = "stream_idle_timeout_ms";
  static final String MAX_STREAM_MESSAGES = "max_stream_messages";
  static final List<String> KEYS =
      List.of(DESCRIPTORS, IMPORT_PATHS, MAX_MESSAGE_BYTES, PROTOS, STREAM_IDLE_TIMEOUT_MS, MAX_STREAM_MESSAGES);

  /**
   * What bounds a streaming call besides its deadline: a stream with no message either way for
   * {@code idleMillis} ends with DEADLINE_EXCEEDED; a client message past {@code maxMessages}
   * ends it with RESOURCE_EXHAUSTED.
   */
  record StreamLimits(long idleMillis, int maxMessages) {}

  static final long DEFAULT_STREAM_IDLE_TIMEOUT_MS = 30_000;
  static final int DEFAULT_MAX_STREAM_MESSAGES = 1_000;

  static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
  /** 1 GiB: more than any mock should buffer for one message. */
  static final long MAX_MAX_MESSAGE_BYTES = 1L << 30;

  static GrpcSettings of(MockDefinition definition) throws InvalidMockException {
    String protocol = definition.iface().protocol();
    if (!GrpcProtocol.GRPC.equals(protocol)) {
      throw new InvalidMockException("the grpc plugin serves grpc, not \"" + protocol + "\"");
    }
    int port = definition.iface().port();
    if (port < 0 || port > 65535) {
      throw new InvalidMockException("port " + port + " is not in 0..65535");
    }
    long maxMessage = DEFAULT_MAX_MESSAGE_BYTES;
    long idle = DEFAULT_STREAM_IDLE_TIMEOUT_MS;
    long maxStream = DEFAULT_MAX_STREAM_MESSAGES;
    String descriptors = null;
    List<String> protos = null;
    List<String> importPaths = null;
    for (Map.Entry<String, Object> entry : definition.config().entrySet()) {
      String key = entry.getKey();
      Object value = entry.getValue();
      switch (key == null ? "" : key) {
        case MAX_MESSAGE_BYTES -> maxMessage = Config.intIn("grpc", key, value, 1, MAX_MAX_MESSAGE_BYTES);
        case STREAM_IDLE_TIMEOUT_MS -> idle = Config.intIn("grpc", key, value, 1, 24L * 3600 * 1000);
        case MAX_STREAM_MESSAGES -> maxStream = Config.intIn("grpc", key, value, 1, 1_000_000);
        case DESCRIPTORS -> {
          if (!(value instanceof String s) || s.isBlank()) {
            throw new InvalidMockException("grpc mock config \"descriptors\" must be a non-empty str (a path to a "
                + "protoc FileDescriptorSet), got " + (value instanceof String ? "\"\"" : Config.starlarkType(value)));
          }
          descriptors = s;
        }
        case PROTOS -> protos = strings(key, value, ".proto files or globs, such as [\"./proto/**/*.proto\"]");
        case IMPORT_PATHS -> importPaths = strings(key, value, "directories the protos' imports are relative to");
        default -> throw Config.unknownKey("grpc", key, KEYS);
      }
    }
    if (protos != null && descriptors != null) {
      throw new InvalidMockException("grpc mock config has both \"descriptors\" and \"protos\"; use one: protos "
          + "compiles .proto sources, descriptors reads a set protoc already built");
    }
    if (importPaths != null && protos == null) {
      throw new InvalidMockException("grpc mock config \"import_paths\" needs \"protos\" (the .proto files to compile)");
    }
    Schema schema = null;
    if (protos != null) {
      if (protos.isEmpty()) {
        throw new InvalidMockException("grpc mock config \"protos\" is empty; list .proto files or globs, such as "
            + "[\"./proto/**/*.proto\"]");
      }
      schema = ProtoSources.load(definition.specDirectory(), protos, importPaths == null ? List.of() : importPaths);
    }
    if (descriptors != null) {
      Path path;
      try {
        path = Path.of(descriptors);
      } catch (InvalidPathException e) {
        throw new InvalidMockException("descriptors \"" + descriptors + "\" is not a valid path");
      }
      if (!path.isAbsolute()) {
        Path base = definition.specDirectory() == null ? Path.of(".") : definition.specDirectory();
        path = base.resolve(path);
      }
      schema = DescriptorSets.load(path);
    }
    RouteTable table = new RouteTable();
    for (Route route : definition.routes()) {
      String where = "route \"" + route.pattern() + "\": ";
      RouteTable.Key key = RouteTable.parse(Objects.requireNonNullElse(route.pattern(), ""));
      if (key == null) {
        throw new InvalidMockException(where + "not a gRPC method; use \"/pkg.Service/Method\", "
            + "\"/pkg.Service/*\" (any method of the service) or \"/**\" (any method)");
      }
      if (schema != null) {
        checkNamed(where, key, schema);
      }
      table.add(key, compile(where, route.pattern(), key, route.response(), schema));
      if (schema != null) {
        checkKinds(where, key, table, schema);
      }
    }
    if (definition.defaultResponse().isPresent()) {
      RouteTable.Key key = new RouteTable.Key(RouteTable.Kind.DEFAULT, "", "");
      table.add(key, compile("default: ", "default", key, definition.defaultResponse().get(), schema));
    }
    List<io.grpc.ServiceDescriptor> services = new ArrayList<>();
    if (schema != null) {
      for (ServiceDescriptor service : schema.services().values()) {
        services.add(Dispatcher.describe(service));
      }
    }
    return new GrpcSettings(definition, (int) maxMessage, schema, List.copyOf(services), table,
        new StreamLimits(idle, (int) maxStream));
  }

  /** A config value that must be a list of non-empty strs. */
  private static List<String> strings(String key, Object value, String what) throws InvalidMockException {
    if (value instanceof String s) {
      value = List.of(s); // one entry needs no list
    }
    if (value instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object item : list) {
        if (!(item instanceof String s) || s.isBlank()) {
          throw new InvalidMockException("grpc mock config \"" + key + "\" must list non-empty strs (" + what
              + "), got " + (item instanceof String ? "\"\"" : Config.starlarkType(item)) + " in the list");
        }
        out.add(s);
      }
      return List.copyOf(out);
    }
    throw new InvalidMockException("grpc mock config \"" + key + "\" must be a list of strs (" + what + "), got "
        + Config.starlarkType(value));
  }

  /** A typed route must name a service, and a method, of the set. */
  private static void checkNamed(String where, RouteTable.Key key, Schema schema) throws InvalidMockException {
    if (key.kind() == RouteTable.Kind.ALL) {
      return;
    }
    ServiceDescriptor service = schema.services().get(key.service());
    if (service == null) {
      List<String> names = new ArrayList<>(schema.services().keySet());
      String near = Messages.closest(key.service(), names);
      throw new InvalidMockException(where + "service \"" + key.service() + "\" not found in " + schema.origin()
          + (near != null ? " (did you mean \"" + near + "\"?)"
              : names.isEmpty() ? " (it has no services)" : " (available: " + String.join(", ", names) + ")"));
    }
    if (key.kind() == RouteTable.Kind.EXACT && service.findMethodByName(key.method()) == null) {
      List<String> methods = new ArrayList<>();
      for (MethodDescriptor m : service.getMethods()) {
        methods.add(m.getName());
      }
      throw new InvalidMockException(where + "method \"" + key.method() + "\" not found on service \""
          + key.service() + "\" (available: " + String.join(", ", methods) + ")");
    }
  }

  private static RouteTable.Compiled compile(
      String where, String name, RouteTable.Key key, MockResponse response, Schema schema)
      throws InvalidMockException {
    if (response == null
        || (response instanceof MockResponse.Static s && s.body() == null)
        || (response instanceof MockResponse.Dynamic d && d.handler() == null)) {
      throw new InvalidMockException(where + "no response");
    }
    Map<String, PreparedReply> perMethod = new HashMap<>();
    PreparedReply common;
    if (response instanceof MockResponse.Static s) {
      String refused = refusal(s);
      if (refused != null) {
        throw new InvalidMockException(where + refused);
      }
      common = new PreparedReply.Fixed(s.body().clone());
    } else if (response instanceof MockResponse.Status status) {
      try {
        int code = Codes.resolve(status.code());
        String message = Objects.requireNonNullElse(status.message(), "");
        common = new PreparedReply.Status(code, message, ErrorDetails.encode(code, message, status.details(), schema));
      } catch (IllegalArgumentException e) {
        throw new InvalidMockException(where + e.getMessage());
      }
    } else if (response instanceof MockResponse.Dynamic d) {
      common = new PreparedReply.Dynamic(d.handler());
    } else if (response instanceof MockResponse.Composite c) {
      common = composite(where, key, c, schema, perMethod);
    } else {
      MockResponse.Structured message = (MockResponse.Structured) response;
      byte[] struct;
      try {
        struct = Messages.struct(message.body()).toByteArray();
      } catch (IllegalArgumentException e) {
        if (schema == null) {
          throw new InvalidMockException(where + e.getMessage());
        }
        struct = null;
      }
      common = struct != null
          ? new PreparedReply.Fixed(struct)
          : new PreparedReply.Broken("the reply cannot be a google.protobuf.Struct, and the method is not in " + schema.origin());
      if (schema != null) {
        encodeTyped(where, key, message, schema, perMethod);
      }
    }
    return new RouteTable.Compiled(name, key.kind(), Map.copyOf(perMethod), common);
  }

  /**
   * Encodes a typed message for every method the route covers. An exact route must fit its
   * method; a glob must fit at least one, and answers INTERNAL on the methods it does not fit.
   */
  private static void encodeTyped(
      String where, RouteTable.Key key, MockResponse.Structured message, Schema schema, Map<String, PreparedReply> out)
      throws InvalidMockException {
    List<String> methods = new ArrayList<>();
    if (key.kind() == RouteTable.Kind.EXACT) {
      methods.add("/" + key.service() + "/" + key.method());
    } else if (key.kind() == RouteTable.Kind.SERVICE) {
      for (MethodDescriptor m : schema.services().get(key.service()).getMethods()) {
        methods.add("/" + key.service() + "/" + m.getName());
      }
    } else {
      methods.addAll(schema.fullMethods());
    }
    Map<String, String> failures = new LinkedHashMap<>();
    Map<com.google.protobuf.Descriptors.Descriptor, PreparedReply> byType = new HashMap<>();
    for (String method : methods) {
      MethodDescriptor descriptor = schema.method(method);
      PreparedReply reply = byType.get(descriptor.getOutputType());
      if (reply == null) {
        try {
          reply = new PreparedReply.Fixed(
              Messages.encode(descriptor.getOutputType(), message.body(), schema.registry()).toByteArray());
        } catch (IllegalArgumentException e) {
          reply = new PreparedReply.Broken(e.getMessage());
        }
        byType.put(descriptor.getOutputType(), reply);
      }
      if (reply instanceof PreparedReply.Broken broken) {
        failures.put(method, broken.detail());
      }
      out.put(method, reply);
    }
    if (!methods.isEmpty() && failures.size() == methods.size()) {
      String first = failures.values().iterator().next();
      if (key.kind() == RouteTable.Kind.EXACT) {
        throw new InvalidMockException(where + first);
      }
      throw new InvalidMockException(where + "the reply fits none of the methods it covers; for "
          + failures.keySet().iterator().next() + ": " + first);
    }
  }

  // ---- streaming shapes: built by the plugin's own Starlark (grpc_stream, grpc_collect...) ----

  static final String STREAM = "grpc.stream";
  static final String COLLECT = "grpc.collect";
  static final String PER_MESSAGE = "grpc.per_message";
  /** A handler's answer of several messages; never a route's. */
  static final String RESPONSES = "grpc.responses";

  private static PreparedReply composite(
      String where, RouteTable.Key key, MockResponse.Composite c, Schema schema, Map<String, PreparedReply> perMethod)
      throws InvalidMockException {
    switch (c.kind()) {
      case COLLECT, PER_MESSAGE -> {
        if (!(c.parts().get("handler") instanceof MockResponse.Dynamic d) || d.handler() == null) {
          throw new InvalidMockException(where + c.kind() + "() has no handler function");
        }
        return COLLECT.equals(c.kind()) ? new PreparedReply.Collect(d.handler()) : new PreparedReply.PerMessage(d.handler());
      }
      case STREAM -> {
        return stream(where, key, c.parts(), schema, perMethod);
      }
      default -> throw new InvalidMockException(where + c.kind() + "(...) is not a gRPC reply");
    }
  }

  /** A grpc.stream(...): its messages encoded as Struct, and per method for a typed mock. */
  private static PreparedReply stream(
      String where, RouteTable.Key key, Map<String, Object> parts, Schema schema, Map<String, PreparedReply> perMethod)
      throws InvalidMockException {
    List<Map<String, Object>> messages = new ArrayList<>();
    if (parts.get("messages") instanceof List<?> list) {
      for (Object item : list) {
        if (!(item instanceof Map<?, ?> m)) {
          throw new InvalidMockException(where + "grpc.stream() messages must be dicts, got " + Config.starlarkType(item));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) m;
        messages.add(fields);
      }
    }
    long interval = parts.get("interval_ms") instanceof Number n ? n.longValue() : 0;
    PreparedReply.Status then = null;
    if (parts.get("then") != null && !(parts.get("then") instanceof MockResponse.Status)) {
      throw new InvalidMockException(where + "grpc.stream() then must be grpc.error(...) or None");
    }
    if (parts.get("then") instanceof MockResponse.Status status) {
      try {
        int code = Codes.resolve(status.code());
        String message = Objects.requireNonNullElse(status.message(), "");
        then = new PreparedReply.Status(code, message, ErrorDetails.encode(code, message, status.details(), schema));
      } catch (IllegalArgumentException e) {
        throw new InvalidMockException(where + e.getMessage());
      }
    }
    PreparedReply common;
    try {
      List<byte[]> encoded = new ArrayList<>();
      for (Map<String, Object> m : messages) {
        encoded.add(Messages.struct(m).toByteArray());
      }
      common = new PreparedReply.Stream(encoded, interval, then);
    } catch (IllegalArgumentException e) {
      if (schema == null) {
        throw new InvalidMockException(where + "grpc.stream() " + e.getMessage());
      }
      common = new PreparedReply.Broken("the stream's messages cannot be google.protobuf.Struct, and the method is not in "
          + schema.origin());
    }
    if (schema != null) {
      Map<com.google.protobuf.Descriptors.Descriptor, PreparedReply> byType = new HashMap<>();
      for (String method : covered(key, schema)) {
        MethodDescriptor descriptor = schema.method(method);
        PreparedReply reply = byType.get(descriptor.getOutputType());
        if (reply == null) {
          try {
            List<byte[]> encoded = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
              try {
                encoded.add(Messages.encode(descriptor.getOutputType(), messages.get(i), schema.registry()).toByteArray());
              } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("grpc.stream() message " + i + ": " + e.getMessage());
              }
            }
            reply = new PreparedReply.Stream(encoded, interval, then);
          } catch (IllegalArgumentException e) {
            if (key.kind() == RouteTable.Kind.EXACT) {
              throw new InvalidMockException(where + e.getMessage());
            }
            reply = new PreparedReply.Broken(e.getMessage());
          }
          byType.put(descriptor.getOutputType(), reply);
        }
        perMethod.put(method, reply);
      }
    }
    return common;
  }

  /** The set's methods a route covers. */
  private static List<String> covered(RouteTable.Key key, Schema schema) {
    List<String> methods = new ArrayList<>();
    if (key.kind() == RouteTable.Kind.EXACT) {
      methods.add("/" + key.service() + "/" + key.method());
    } else if (key.kind() == RouteTable.Kind.SERVICE) {
      for (MethodDescriptor m : schema.services().get(key.service()).getMethods()) {
        methods.add("/" + key.service() + "/" + m.getName());
      }
    } else if (key.kind() == RouteTable.Kind.ALL) {
      methods.addAll(schema.fullMethods());
    }
    return methods;
  }

  /**
   * Why a reply cannot answer a typed method of this kind (grpc.collect on a unary method...), or
   * null when it can.
   */
  static String kindMismatch(PreparedReply reply, MethodDescriptor method) {
    String kind = method.isClientStreaming()
        ? (method.isServerStreaming() ? "bidi-streaming" : "client-streaming")
        : (method.isServerStreaming() ? "server-streaming" : "unary");
    String name = method.getService().getFullName() + "/" + method.getName() + " is " + kind;
    if (reply instanceof PreparedReply.Stream && !method.isServerStreaming()) {
      return "grpc.stream() answers a server- or bidi-streaming method, but " + name
          + (method.isClientStreaming() ? "; use grpc.collect(fn)" : "; use grpc.response(...)");
    } else if (reply instanceof PreparedReply.Collect && (!method.isClientStreaming() || method.isServerStreaming())) {
      return "grpc.collect() answers a client-streaming method, but " + name
          + (method.isServerStreaming() ? "; use grpc.stream(...) or grpc.dynamic(fn)" : "; use grpc.dynamic(fn)");
    } else if (reply instanceof PreparedReply.PerMessage && !method.isClientStreaming() && !method.isServerStreaming()) {
      return "grpc_dynamic(fn, streaming = True) answers a streaming method, but " + name + "; use grpc.dynamic(fn)";
    } else if ((reply instanceof PreparedReply.Dynamic || reply instanceof PreparedReply.PerMessage)
        && method.isClientStreaming() && !method.isServerStreaming()) {
      return "grpc.dynamic() answers each message, but " + name + " and answers once; use grpc.collect(fn)";
    }
    return null;
  }

  /** A typed route's reply must fit its method's kind: at load for an exact route, else per method when called. */
  private static void checkKinds(String where, RouteTable.Key key, RouteTable table, Schema schema)
      throws InvalidMockException {
    if (key.kind() != RouteTable.Kind.EXACT) {
      return;
    }
    String method = "/" + key.service() + "/" + key.method();
    RouteTable.Match match = table.match(method);
    String mismatch = match == null ? null : kindMismatch(match.reply(), schema.method(method));
    if (mismatch != null) {
      throw new InvalidMockException(where + mismatch);
    }
  }

  /**
   * Why a fixed answer cannot be a gRPC reply, or null when it can. Bytes with a media type
   * ({@code json_response}, {@code text_response}) are not a protobuf message; bytes without one
   * ({@code bytes_response}) are the encoded message, sent as they are.
   */
  static String refusal(MockResponse.Static response) {
    return response.contentType()
        .map(type -> "json_response and text_response are not gRPC replies (their body is " + type + "); use "
            + "grpc_response(body = {...}), grpc_error(code = ...) or grpc_raw_response(bytes)")
        .orElse(null);
  }
}
