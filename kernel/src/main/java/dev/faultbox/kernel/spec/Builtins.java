package dev.faultbox.kernel.spec;

import dev.faultbox.kernel.event.EventLog;
import dev.faultbox.spi.InterfaceSpec;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.Route;
import dev.faultbox.spi.SourceLocation;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.starlark.java.annot.Param;
import net.starlark.java.annot.ParamType;
import net.starlark.java.annot.StarlarkMethod;
import net.starlark.java.eval.Dict;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.NoneType;
import net.starlark.java.eval.Sequence;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkCallable;
import net.starlark.java.eval.StarlarkInt;
import net.starlark.java.eval.StarlarkThread;
import net.starlark.java.eval.Tuple;

/**
 * The spec language's kernel builtins. Each reaches the run through the {@link SpecSession}
 * stored on the calling thread. Values handed to specs are immutable.
 */
public final class Builtins {
  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final Pattern UNEXPECTED_KEYWORD =
      Pattern.compile("^(\\w+)\\(\\) got unexpected keyword argument '(\\w+)'(.*)$", Pattern.DOTALL);

  static final Builtins INSTANCE = new Builtins();

  private Builtins() {}

  // ---- topology --------------------------------------------------------------------------

  @StarlarkMethod(
      name = "interface",
      doc = "Declares an interface: a name, a protocol and a port (moved by --port-offset; 0: any free port, chosen as the spec loads).",
      parameters = {@Param(name = "name", named = true), @Param(name = "protocol", named = true), @Param(name = "port", named = true)},
      useStarlarkThread = true)
  public InterfaceDecl iface(String name, String protocol, StarlarkInt port, StarlarkThread thread) throws EvalException {
    if (name.isEmpty() || name.equals("name")) {
      throw Starlark.errorf("interface() name must be a non-empty name other than 'name', got %s", Starlark.repr(name));
    }
    int p = port.toInt("port");
    if (p == 0) { // free already: no offset needed
      SpecSession s = SpecSession.of(thread);
      int free = s.freePort(s.plugins().find(protocol).map(ProtocolFactory::transport).orElse(ProtocolFactory.Transport.STREAM));
      return new InterfaceDecl(new InterfaceSpec(name, protocol, free));
    } else if (p < 1 || p > 65535) {
      throw Starlark.errorf("interface(%s) port must be between 1 and 65535, or 0 for any free port, got %d",
          Starlark.repr(name), p);
    }
    int offset = SpecSession.of(thread).options().portOffset();
    long shifted = (long) p + offset;
    if (shifted < 1 || shifted > 65535) {
      throw Starlark.errorf("interface(%s) port %d with --port-offset %d is %d, outside 1..65535; pick a smaller offset",
          Starlark.repr(name), p, offset, shifted);
    }
    return new InterfaceDecl(new InterfaceSpec(name, protocol, (int) shifted));
  }

  @StarlarkMethod(
      name = "mock_service",
      doc = "Declares a mock: one in-process listener per interface, answering from routes.",
      parameters = {
        @Param(name = "name", named = true),
        @Param(name = "routes", named = true, positional = false, defaultValue = "{}"),
        @Param(name = "default", named = true, positional = false, defaultValue = "None",
            allowedTypes = {@ParamType(type = ResponseValue.class), @ParamType(type = NoneType.class)}),
        @Param(name = "tls", named = true, positional = false, defaultValue = "False"),
        @Param(name = "config", named = true, positional = false, defaultValue = "{}"),
        @Param(name = "depends_on", named = true, positional = false, defaultValue = "[]"),
      },
      extraPositionals = @Param(name = "interfaces"),
      useStarlarkThread = true)
  public ServiceValue mockService(
      String name,
      Dict<?, ?> routes,
      Object defaultResponse,
      Boolean tls,
      Dict<?, ?> config,
      Sequence<?> dependsOn,
      Tuple interfaces,
      StarlarkThread thread)
      throws EvalException {
    SpecSession session = SpecSession.of(thread);
    if (name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
      throw Starlark.errorf("mock_service() name must be non-empty without spaces, got %s", Starlark.repr(name));
    }
    if (interfaces.isEmpty()) {
      throw Starlark.errorf("mock_service(%s) needs at least one interface(name, protocol, port)", Starlark.repr(name));
    }
    List<InterfaceSpec> specs = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < interfaces.size(); i++) {
      if (!(interfaces.get(i) instanceof InterfaceDecl d)) {
        throw Starlark.errorf("mock_service(%s) argument %d must be interface(name, protocol, port), got %s",
            Starlark.repr(name), i + 2, Starlark.type(interfaces.get(i)));
      }
      if (!seen.add(d.spec().name())) {
        throw Starlark.errorf("mock_service(%s) declares interface %s twice", Starlark.repr(name), Starlark.repr(d.spec().name()));
      }
      specs.add(d.spec());
    }
    List<Route> routeList = new ArrayList<>();
    for (Map.Entry<?, ?> e : routes.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw Starlark.errorf("mock_service(%s) routes keys must be strings, got %s", Starlark.repr(name), Starlark.type(e.getKey()));
      }
      routeList.add(new Route(key, response(e.getValue(), "routes[" + Starlark.repr(key) + "]")));
    }
    Optional<MockResponse> dflt = defaultResponse == Starlark.NONE
        ? Optional.empty()
        : Optional.of(((ResponseValue) defaultResponse).response());
    @SuppressWarnings("unchecked")
    Map<String, Object> cfg = (Map<String, Object>) Values.toJava(config, "mock_service() config");
    List<String> deps = dependsOn(dependsOn, "mock_service(" + Starlark.repr(name) + ")");

    SourceLocation at = session.location(thread.getCallerLocation());
    List<PreparedMock> prepared = new ArrayList<>();
    List<InterfaceRef> refs = new ArrayList<>();
    for (InterfaceSpec spec : specs) {
      ProtocolFactory factory = session.plugins().find(spec.protocol()).orElseThrow(() -> Starlark.errorf("%s",
          session.plugins().failure(spec.protocol()).orElse("protocol \"" + spec.protocol()
              + "\" has no mock plugin; installed: " + String.join(", ", session.plugins().protocols()))));
      boolean servesTls = tls && factory.supportsTls(); // tls=True on a protocol without TLS is ignored, as documented
      MockDefinition def = new MockDefinition(
          name, spec, routeList, dflt, servesTls, cfg, session.specDirectory(), at);
      try {
        prepared.add(factory.prepare(def));
      } catch (InvalidMockException e) {
        throw Starlark.errorf("mock_service(%s) interface %s: %s", Starlark.repr(name), Starlark.repr(spec.name()), e.getMessage());
      }
      refs.add(new InterfaceRef(name, spec, factory.steps(), factory.faultModel(), session.dialHost(),
          session.advertisedHost(), servesTls ? Optional.of(session.tls().certificate()) : Optional.empty(), true));
    }
    ServiceValue value = new ServiceValue(name, refs);
    session.register(ServiceDecl.mock(name, prepared, deps, at));
    return value;
  }

  /** Names in a depends_on list of services or names. */
  static List<String> dependsOn(Sequence<?> list, String what) throws EvalException {
    List<String> deps = new ArrayList<>();
    for (Object d : list) {
      if (d instanceof ServiceValue s) {
        deps.add(s.name());
      } else if (d instanceof String s) {
        deps.add(s);
      } else {
        throw Starlark.errorf("%s depends_on must list services or their names, got %s", what, Starlark.type(d));
      }
    }
    return deps;
  }

  private static MockResponse response(Object v, String what) throws EvalException {
    if (v instanceof ResponseValue r) {
      return r.response();
    }
    throw Starlark.errorf("%s must be a response such as json_response(...), bytes_response(...) or dynamic(fn), got %s",
        what, Starlark.type(v));
  }

  @StarlarkMethod(
      name = "mock_ca_path",
      doc = "The PEM file of this run's mock CA, which signs every tls=True mock: give it to clients to trust.",
      useStarlarkThread = true)
  public String mockCaPath(StarlarkThread thread) {
    return SpecSession.of(thread).tls().caFile().toString();
  }

  // ---- responses -------------------------------------------------------------------------

  @StarlarkMethod(
      name = "json_response",
      doc = "A response whose body is the JSON encoding of body, with Content-Type application/json.",
      parameters = {
        @Param(name = "status", named = true, defaultValue = "200"),
        @Param(name = "body", named = true, defaultValue = "None"),
        @Param(name = "headers", named = true, defaultValue = "{}"),
      })
  public ResponseValue jsonResponse(StarlarkInt status, Object body, Dict<?, ?> headers) throws EvalException {
    return fixed(status, headers, Values.toJson(body, "json_response() body"), "application/json", "json_response");
  }

  @StarlarkMethod(
      name = "text_response",
      doc = "A plain-text response.",
      parameters = {
        @Param(name = "status", named = true, defaultValue = "200"),
        @Param(name = "body", named = true, defaultValue = "''"),
        @Param(name = "headers", named = true, defaultValue = "{}"),
      })
  public ResponseValue textResponse(StarlarkInt status, String body, Dict<?, ?> headers) throws EvalException {
    return fixed(status, headers, body.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8", "text_response");
  }

  @StarlarkMethod(
      name = "bytes_response",
      doc = "Raw bytes, written exactly as given: data is a string (sent as UTF-8) or bytes.",
      parameters = {
        @Param(name = "status", named = true, defaultValue = "0"),
        @Param(name = "data", named = true, defaultValue = "''", allowedTypes = {
            @ParamType(type = String.class), @ParamType(type = BytesValue.class)}),
      })
  public ResponseValue bytesResponse(StarlarkInt status, Object data) throws EvalException {
    byte[] raw = data instanceof BytesValue b ? b.toByteArray() : ((String) data).getBytes(StandardCharsets.UTF_8);
    return fixed(status, Dict.empty(), raw, null, "bytes_response");
  }

  @StarlarkMethod(
      name = "hex_bytes",
      doc = "The bytes spelled by hex digits: hex_bytes(\"ff0080\"). Spaces are ignored.",
      parameters = {@Param(name = "hex")})
  public BytesValue hexBytes(String hex) throws EvalException {
    return BytesValue.fromHex(hex);
  }

  @StarlarkMethod(
      name = "status_only",
      doc = "A response with a status and an empty body.",
      parameters = {@Param(name = "code", named = true)})
  public ResponseValue statusOnly(StarlarkInt code) throws EvalException {
    return fixed(code, Dict.empty(), new byte[0], null, "status_only");
  }

  @StarlarkMethod(
      name = "redirect",
      doc = "A redirect to location.",
      parameters = {@Param(name = "location", named = true), @Param(name = "status", named = true, defaultValue = "302")})
  public ResponseValue redirect(String location, StarlarkInt status) throws EvalException {
    int s = status.toInt("status");
    if (s < 300 || s > 399) {
      throw Starlark.errorf("redirect() status must be a 3xx code, got %d", s);
    }
    Map<String, String> h = Map.of("Location", location);
    return new ResponseValue(new MockResponse.Static(s, h, new byte[0], Optional.empty()));
  }

  @StarlarkMethod(
      name = "status_response",
      doc = "A protocol status with a message, such as a gRPC status: code is a number or a name the "
          + "protocol knows (\"UNAVAILABLE\"), resolved by the protocol of the route; details are "
          + "structured error details (dicts) the protocol encodes, such as gRPC's google.rpc.Status details.",
      parameters = {
        @Param(name = "code", named = true, allowedTypes = {
            @ParamType(type = String.class), @ParamType(type = StarlarkInt.class)}),
        @Param(name = "message", named = true, defaultValue = "''"),
        @Param(name = "details", named = true, defaultValue = "[]"),
      })
  public ResponseValue statusResponse(Object code, String message, Object details) throws EvalException {
    String text = code instanceof StarlarkInt i ? Integer.toString(i.toInt("code")) : (String) code;
    if (text.isEmpty()) {
      throw Starlark.errorf("status_response() code must not be empty");
    }
    if (!(details instanceof net.starlark.java.eval.Sequence<?> list)) {
      throw Starlark.errorf("status_response() details must be a list of dicts, got %s", Starlark.type(details));
    }
    List<Map<String, Object>> plain = new java.util.ArrayList<>();
    for (Object d : list) {
      if (!(d instanceof Dict<?, ?> dict)) {
        throw Starlark.errorf("status_response() details must be a list of dicts, got a %s in it", Starlark.type(d));
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = (Map<String, Object>) Values.toJava(dict, "status_response() details");
      plain.add(fields);
    }
    return new ResponseValue(new MockResponse.Status(text, message, plain));
  }

  @StarlarkMethod(
      name = "structured_response",
      doc = "A structured body that the route's protocol encodes itself, such as a gRPC message.",
      parameters = {@Param(name = "body", named = true, defaultValue = "{}")})
  public ResponseValue structuredResponse(Dict<?, ?> body) throws EvalException {
    @SuppressWarnings("unchecked")
    Map<String, Object> fields = (Map<String, Object>) Values.toJava(body, "structured_response() body");
    return new ResponseValue(new MockResponse.Structured(fields));
  }

  @StarlarkMethod(
      name = "composite_response",
      doc = "An answer in a shape only the route's protocol knows (such as a gRPC message stream), "
          + "as that protocol's own Starlark builds it: kind names the shape, parts holds plain values "
          + "and responses.",
      parameters = {
        @Param(name = "kind", named = true),
        @Param(name = "parts", named = true, defaultValue = "{}"),
      })
  public ResponseValue compositeResponse(String kind, Dict<?, ?> parts) throws EvalException {
    if (kind.isEmpty()) {
      throw Starlark.errorf("composite_response() kind must not be empty");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> fields = (Map<String, Object>) withResponses(parts, "composite_response() parts");
    return new ResponseValue(new MockResponse.Composite(kind, fields));
  }

  /** As {@link Values#toJava}, with responses kept as the {@link MockResponse}s they are. */
  private static Object withResponses(Object v, String what) throws EvalException {
    if (v instanceof ResponseValue r) {
      return r.response();
    } else if (v instanceof Sequence<?> seq) {
      List<Object> out = new ArrayList<>(seq.size());
      for (Object o : seq) {
        out.add(withResponses(o, what));
      }
      return out;
    } else if (v instanceof Dict<?, ?> dict) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : dict.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw Starlark.errorf("%s: dict keys must be strings, got %s", what, Starlark.type(e.getKey()));
        }
        out.put(key, withResponses(e.getValue(), what));
      }
      return out;
    }
    return Values.toJava(v, what);
  }

  @StarlarkMethod(
      name = "dynamic",
      doc = "A response computed per request by fn(req), where req has method, path, headers, query, body.",
      parameters = {@Param(name = "fn", named = true)},
      useStarlarkThread = true)
  public ResponseValue dynamic(Object fn, StarlarkThread thread) throws EvalException {
    if (!(fn instanceof StarlarkCallable callable)) {
      throw Starlark.errorf("dynamic() wants a function such as lambda req: json_response(...), got %s", Starlark.type(fn));
    }
    SpecSession session = SpecSession.of(thread);
    return new ResponseValue(new MockResponse.Dynamic(
        new StarlarkHandler(session, callable, session.location(thread.getCallerLocation()))));
  }

  private static ResponseValue fixed(StarlarkInt status, Dict<?, ?> headers, byte[] body, String type, String fn)
      throws EvalException {
    int s = status.toInt("status");
    if (s < 0 || s > 999) {
      throw Starlark.errorf("%s() status must be between 0 and 999, got %d", fn, s);
    }
    return new ResponseValue(new MockResponse.Static(
        s, Values.stringMap(headers, fn + "() headers"), body, Optional.ofNullable(type)));
  }

  // ---- data ------------------------------------------------------------------------------

  @StarlarkMethod(
      name = "struct",
      doc = "An immutable namespace of the given fields.",
      extraKeywords = @Param(name = "fields"))
  public StructValue struct(Dict<String, Object> fields) {
    return new StructValue(fields);
  }

  @StarlarkMethod(
      name = "load_json",
      doc = "Reads a JSON file relative to the spec's directory.",
      parameters = {@Param(name = "path", named = true)},
      useStarlarkThread = true)
  public Object loadJson(String path, StarlarkThread thread) throws EvalException {
    return parse(path, "load_json", "JSON", Values.json(), thread);
  }

  @StarlarkMethod(
      name = "load_yaml",
      doc = "Reads a YAML file relative to the spec's directory: mappings become dicts, sequences lists.",
      parameters = {@Param(name = "path", named = true)},
      useStarlarkThread = true)
  public Object loadYaml(String path, StarlarkThread thread) throws EvalException {
    return parse(path, "load_yaml", "YAML", Yaml.MAPPER, thread);
  }

  private static Object parse(String path, String fn, String format, com.fasterxml.jackson.databind.ObjectMapper mapper,
      StarlarkThread thread) throws EvalException {
    byte[] bytes = read(path, fn, thread);
    try {
      return Values.toStarlark(mapper.readValue(bytes, Object.class), thread.mutability());
    } catch (IOException e) {
      throw Starlark.errorf("%s(%s): not valid %s: %s", fn, Starlark.repr(path), format, firstLine(e.getMessage()));
    }
  }

  /** Made on first use: most specs read no YAML. */
  private static final class Yaml {
    static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
        new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
  }

  @StarlarkMethod(
      name = "load_file",
      doc = "Reads a text file relative to the spec's directory.",
      parameters = {@Param(name = "path", named = true)},
      useStarlarkThread = true)
  public String loadFile(String path, StarlarkThread thread) throws EvalException {
    return new String(read(path, "load_file", thread), StandardCharsets.UTF_8);
  }

  private static byte[] read(String path, String fn, StarlarkThread thread) throws EvalException {
    var file = SpecSession.of(thread).resolve(path, fn);
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw Starlark.errorf("%s(%s): cannot read %s", fn, Starlark.repr(path), file);
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  // ---- events and assertions -------------------------------------------------------------

  @StarlarkMethod(
      name = "events",
      doc = "The events recorded so far in this test, optionally filtered like .where().",
      parameters = {
        @Param(name = "where", named = true, positional = false, defaultValue = "None",
            allowedTypes = {@ParamType(type = StarlarkCallable.class), @ParamType(type = NoneType.class)})
      },
      extraKeywords = @Param(name = "attributes"),
      useStarlarkThread = true)
  public EventQuery events(Object where, Dict<String, Object> attributes, StarlarkThread thread) throws EvalException {
    return EventQuery.create(SpecSession.of(thread).events(), where, attributes, thread);
  }

  @StarlarkMethod(
      name = "assert_eq",
      doc = "Fails unless got == want.",
      parameters = {@Param(name = "got", named = true), @Param(name = "want", named = true), @Param(name = "msg", named = true, defaultValue = "None")},
      useStarlarkThread = true)
  public NoneType assertEq(Object got, Object want, Object msg, StarlarkThread thread) throws EvalException {
    TestScope.asserted(thread);
    if (!got.equals(want)) {
      throw Starlark.errorf("assert_eq failed: got %s, want %s%s", Starlark.repr(got), Starlark.repr(want), suffix(msg));
    }
    return Starlark.NONE;
  }

  @StarlarkMethod(
      name = "assert_true",
      doc = "Fails unless cond is truthy.",
      parameters = {@Param(name = "cond", named = true), @Param(name = "msg", named = true, defaultValue = "None")},
      useStarlarkThread = true)
  public NoneType assertTrue(Object cond, Object msg, StarlarkThread thread) throws EvalException {
    TestScope.asserted(thread);
    if (!Starlark.truth(cond)) {
      throw Starlark.errorf("assert_true failed: got %s%s", Starlark.repr(cond), suffix(msg));
    }
    return Starlark.NONE;
  }

  @StarlarkMethod(
      name = "assert_eventually",
      doc = "Waits until cond holds, re-checking as events arrive; fails after timeout.",
      parameters = {
        @Param(name = "cond", named = true),
        @Param(name = "timeout", named = true, defaultValue = "'5s'"),
        @Param(name = "msg", named = true, defaultValue = "None"),
      },
      useStarlarkThread = true)
  public NoneType assertEventually(Object cond, Object timeout, Object msg, StarlarkThread thread)
      throws EvalException, InterruptedException {
    TestScope.asserted(thread);
    Duration limit = Durations.parse(timeout, "assert_eventually() timeout");
    Check check = Check.watch(cond, limit, thread);
    if (!check.held) {
      throw Starlark.errorf("assert_eventually failed: still false after %s (last value: %s)%s",
          Durations.format(limit), Starlark.repr(check.last), suffix(msg));
    }
    return Starlark.NONE;
  }

  @StarlarkMethod(
      name = "assert_never",
      doc = "Fails if cond becomes true at any point within the window.",
      parameters = {
        @Param(name = "cond", named = true),
        @Param(name = "within", named = true, defaultValue = "'1s'"),
        @Param(name = "msg", named = true, defaultValue = "None"),
      },
      useStarlarkThread = true)
  public NoneType assertNever(Object cond, Object within, Object msg, StarlarkThread thread)
      throws EvalException, InterruptedException {
    TestScope.asserted(thread);
    Check check = Check.watch(cond, Durations.parse(within, "assert_never() within"), thread);
    if (check.held) {
      throw Starlark.errorf("assert_never failed: became true after %dms (value: %s)%s",
          TimeUnit.NANOSECONDS.toMillis(check.elapsedNanos), Starlark.repr(check.last), suffix(msg));
    }
    return Starlark.NONE;
  }

  @StarlarkMethod(
      name = "sleep",
      doc = "Pauses the test, e.g. sleep(\"200ms\").",
      parameters = {@Param(name = "duration", named = true)},
      useStarlarkThread = true)
  public NoneType sleep(Object duration, StarlarkThread thread) throws EvalException, InterruptedException {
    MonitorRunner.refuseIn(thread, "sleep()");
    EventLog.pause(Durations.parse(duration, "sleep() duration").toNanos());
    if (Thread.interrupted()) {
      throw new InterruptedException(); // the test was stopped: end it here, not at its next step
    }
    return Starlark.NONE;
  }

  private static String suffix(Object msg) {
    return msg == Starlark.NONE ? "" : ": " + (msg instanceof String s ? s : Starlark.str(msg));
  }

  /** A condition re-evaluated by assert_eventually/assert_never: a value, or a function to call. */
  private static final class Check {
    private final Object cond;
    private final StarlarkThread thread;
    Object last = Starlark.NONE;
    boolean held;
    long elapsedNanos;
    private EvalException error;
    private InterruptedException interrupted;

    private Check(Object cond, StarlarkThread thread) {
      this.cond = cond;
      this.thread = thread;
    }

    /** Re-checks cond on every new event (and every 100 ms) until it holds or the window ends. */
    static Check watch(Object cond, Duration window, StarlarkThread thread)
        throws EvalException, InterruptedException {
      Check check = new Check(cond, thread);
      long start = System.nanoTime();
      check.held = SpecSession.of(thread).events().await(check::holds, window.toNanos(), RECHECK_NANOS);
      check.elapsedNanos = System.nanoTime() - start;
      if (check.error != null) {
        throw check.error;
      }
      if (check.interrupted != null) {
        throw check.interrupted;
      }
      return check;
    }

    private boolean holds() {
      try {
        Object v = cond;
        // The front-end wraps an expression argument in a function; a function-valued
        // expression (assert_eventually(check)) yields a function that must be called too.
        for (int depth = 0; depth < 2 && v instanceof StarlarkCallable fn; depth++) {
          v = Starlark.call(thread, fn, List.of(), Map.of());
        }
        last = v;
        return Starlark.truth(v);
      } catch (EvalException e) {
        error = e;
        return true; // stop waiting; watch() reports it
      } catch (InterruptedException e) {
        interrupted = e;
        return true;
      }
    }
  }

  // ---- error text ------------------------------------------------------------------------

  /**
   * Adds the accepted keyword names to Starlark's "unexpected keyword" message for a builtin,
   * so the user sees every option, not just the nearest one.
   */
  static String explain(String message) {
    Matcher m = UNEXPECTED_KEYWORD.matcher(message);
    if (!m.matches() || m.group(3).contains("accepted:")) {
      return message;
    }
    List<String> accepted = parameters().get(m.group(1));
    return accepted == null ? message : message + "; accepted: " + String.join(", ", accepted);
  }

  private static Map<String, List<String>> parameters;

  private static synchronized Map<String, List<String>> parameters() {
    if (parameters == null) {
      Map<String, List<String>> out = new LinkedHashMap<>();
      for (Class<?> builtins : List.of(Builtins.class, JwtBuiltins.class, FaultBuiltins.class, ServiceBuiltins.class, SuiteBuiltins.class,
          MatrixBuiltins.class, EventBuiltins.class)) {
        for (Map.Entry<Method, StarlarkMethod> e : Starlark.getMethodAnnotations(builtins).entrySet()) {
          List<String> names = new ArrayList<>();
          for (Param p : e.getValue().parameters()) {
            names.add(p.name());
          }
          out.put(e.getValue().name(), names);
        }
      }
      parameters = out;
    }
    return parameters;
  }
}
