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
 */
record GrpcSettings(
    MockDefinition definition, int maxMessageBytes, Schema schema, List<io.grpc.ServiceDescriptor> services,
    RouteTable routes) implements PreparedMock {

  static final String DESCRIPTORS = "descriptors";
  static final String PROTOS = "protos";
  static final String IMPORT_PATHS = "import_paths";
  static final String MAX_MESSAGE_BYTES = "max_message_bytes";
  static final List<String> KEYS = List.of(DESCRIPTORS, IMPORT_PATHS, MAX_MESSAGE_BYTES, PROTOS);

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
    String descriptors = null;
    List<String> protos = null;
    List<String> importPaths = null;
    for (Map.Entry<String, Object> entry : definition.config().entrySet()) {
      String key = entry.getKey();
      Object value = entry.getValue();
      switch (key == null ? "" : key) {
        case MAX_MESSAGE_BYTES -> maxMessage = Config.intIn("grpc", key, value, 1, MAX_MAX_MESSAGE_BYTES);
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
    return new GrpcSettings(definition, (int) maxMessage, schema, List.copyOf(services), table);
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
