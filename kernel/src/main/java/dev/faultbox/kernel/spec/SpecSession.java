package dev.faultbox.kernel.spec;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.event.EventLog;
import dev.faultbox.kernel.fault.FaultEngine;
import dev.faultbox.kernel.frontend.FrontEnd;
import dev.faultbox.kernel.frontend.Translation;
import dev.faultbox.kernel.plugin.PluginRegistry;
import dev.faultbox.kernel.tls.TlsAuthority;
import dev.faultbox.spi.InterfaceSpec;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.SourceLocation;
import dev.faultbox.spi.StarlarkLibrary;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Mutability;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkCallable;
import net.starlark.java.eval.StarlarkThread;
import net.starlark.java.syntax.Location;
import net.starlark.java.syntax.Program;

/**
 * One run of one spec: the loaded topology and tests, the event log, and what executing Starlark
 * needs (front-end, builtins, loader, script executor). Builtins find it on their thread.
 */
public final class SpecSession implements AutoCloseable {
  /** Default step budget of one dynamic-handler call: generous for real work, quick to hit in a loop. */
  public static final long DEFAULT_HANDLER_STEPS = 10_000_000;

  /** Step budget of each file's top level while loading: a spec declares, it does not compute. */
  public static final long LOAD_STEPS = 10_000_000;

  /**
   * How to run.
   *
   * @param bindAddress where mocks listen
   * @param out where {@code print()} writes
   * @param handlerStepBudget Starlark steps one dynamic-handler call may take
   * @param seed seeds fault probabilities, so a run can be repeated
   * @param portOffset added to every port {@code interface()} declares, so runs side by side do not collide
   * @param maxEvents how many events one test keeps (then one {@code log.overflow} counts the rest)
   */
  public record Options(InetAddress bindAddress, PrintStream out, long handlerStepBudget, long seed, int portOffset,
      long maxEvents) {
    public Options(InetAddress bindAddress, PrintStream out, long handlerStepBudget, long seed, int portOffset) {
      this(bindAddress, out, handlerStepBudget, seed, portOffset, EventLog.DEFAULT_MAX_EVENTS);
    }

    public static Options defaults(PrintStream out) {
      return new Options(InetAddress.getLoopbackAddress(), out, DEFAULT_HANDLER_STEPS, 1, 0);
    }
  }

  private final PluginRegistry plugins;
  private final Stdlib stdlib;
  private final Options options;
  private final Path specFile;
  private final Path specDirectory;
  private final String displayName;
  private final FrontEnd frontEnd = new FrontEnd();
  private volatile EventLog events; // the current test's; one until the first test starts
  private final Map<String, ServiceDecl> services = new LinkedHashMap<>();
  private final Map<String, StarlarkCallable> tests = new TreeMap<>();
  private final Map<String, Registration> registered = new HashMap<>(); // tests builtins made

  /** Which builtin registered a test, and where it was called. */
  private record Registration(String by, SourceLocation at) {}
  private final FaultEngine faults;
  private final Map<String, net.starlark.java.eval.Module> modules = new HashMap<>();
  private final Deque<String> loading = new ArrayDeque<>();
  private final ExecutorService scripts;
  private SpecException loadFailure; // why the last load() returned nothing
  private Map<String, Object> predeclared; // made on first use: builtins plus plugin preludes
  private final Map<String, java.util.concurrent.ThreadFactory> threadFactories = new java.util.concurrent.ConcurrentHashMap<>();
  private java.util.concurrent.ScheduledExecutorService scheduler; // guarded by this; made on first use
  private Map<String, Object> globals = Map.of(); // the root spec's, once loaded
  private volatile boolean loaded; // the spec's top level has run: no more tests may be registered
  private final List<dev.faultbox.kernel.event.Monitor> specMonitors = new ArrayList<>(); // top-level monitor() calls
  private final java.util.Set<dev.faultbox.kernel.event.Monitor> scopedMonitors = new java.util.HashSet<>(); // in a monitors= list
  private volatile TestScope scope; // the running test's, null between tests
  private TlsAuthority tls; // made on first use
  private dev.faultbox.kernel.runtime.Containers containers; // connected when a container is declared
  private JwtBuiltins.KeyPairValue jwtKey; // made on first use

  private SpecSession(PluginRegistry plugins, Stdlib stdlib, Options options, Path specFile, String displayName) {
    this.plugins = plugins;
    this.stdlib = stdlib;
    this.options = options;
    this.specFile = specFile.toAbsolutePath().normalize();
    this.specDirectory = this.specFile.getParent();
    this.displayName = displayName;
    this.events = new EventLog(options.maxEvents());
    this.faults = new FaultEngine(options.seed(), this::events);
    frontEnd.checkCalls("parallel", SuiteBuiltins::checkParallelCall);
    AtomicInteger n = new AtomicInteger();
    this.scripts = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "faultbox-script-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Loads and validates a spec: runs its top level, registering services and tests.
   *
   * @param displayName the file name as the user typed it, used in every message
   */
  public static SpecSession load(Path specFile, String displayName, PluginRegistry plugins, Stdlib stdlib, Options options)
      throws SpecException {
    String source;
    try {
      source = Files.readString(specFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SpecException(null, "cannot read spec " + displayName + ": " + e.getMessage());
    }
    SpecSession s = new SpecSession(plugins, stdlib, options, specFile, displayName);
    try {
      net.starlark.java.eval.Module root = s.execute(displayName, source);
      s.globals = root.getExportedGlobals();
      s.loaded = true;
      for (Map.Entry<String, Object> g : root.getExportedGlobals().entrySet()) {
        String name = g.getKey();
        if (name.startsWith("test_") && !FrontEnd.isHidden(name) && g.getValue() instanceof StarlarkCallable fn) {
          StarlarkCallable prior = s.tests.putIfAbsent(name, fn);
          if (prior != null && prior != fn) {
            Registration r = s.registered.get(name);
            throw new SpecException(r.at().toString(),
                "this " + r.by() + " registers " + name + ", and a function of that name is defined too; rename one");
          }
        }
      }
      Topology.check(s.services, s.plugins);
    } catch (SpecException | RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /** Whether Starlark stopped a thread for running past its step budget. */
  static boolean isOverBudget(EvalException e) {
    return e.getMessage().contains("too many steps");
  }

  /** The session of the thread running a builtin. */
  static SpecSession of(StarlarkThread thread) {
    SpecSession s = thread.getThreadLocal(SpecSession.class);
    if (s == null) {
      throw new IllegalStateException("no spec session on this Starlark thread");
    }
    return s;
  }

  /** A thread for running this spec's functions after load (tests, handlers). */
  public StarlarkThread newThread(Mutability mu) {
    StarlarkThread t = new StarlarkThread(mu, FrontEnd.semantics());
    t.setThreadLocal(SpecSession.class, this);
    t.setPrintHandler((thread, msg) -> options.out().println(msg));
    return t;
  }

  private net.starlark.java.eval.Module execute(String file, String source) throws SpecException {
    return execute(file, source, predeclared());
  }

  private net.starlark.java.eval.Module execute(String file, String source, Map<String, Object> names)
      throws SpecException {
    Translation translation = frontEnd.translate(file, source);
    net.starlark.java.eval.Module module = net.starlark.java.eval.Module.withPredeclared(FrontEnd.semantics(), names);
    Program program;
    try {
      program = frontEnd.compile(translation, module);
    } catch (SpecException e) { // resolver errors: undefined names
      throw new SpecException(e.location(), hint(e.reason()));
    }
    try (Mutability mu = Mutability.create(file)) {
      StarlarkThread thread = newThread(mu);
      thread.setLoader(name -> load(name));
      thread.setMaxExecutionSteps(LOAD_STEPS);
      Starlark.execFileProgram(program, module, thread);
    } catch (EvalException e) {
      if (isOverBudget(e)) {
        throw new SpecException(describe(e).location(), "the top level of " + file + " ran past its budget of "
            + String.format(java.util.Locale.ROOT, "%,d", LOAD_STEPS) + " Starlark steps while loading (an endless loop, or a huge "
            + "comprehension?); do heavy work inside test functions");
      }
      throw describe(e);
    } catch (Starlark.UncheckedEvalException e) {
      throw describe(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SpecException(file, "interrupted while loading");
    }
    return module;
  }

  private static Map<String, Object> builtins() {
    var env = com.google.common.collect.ImmutableMap.<String, Object>builder();
    Starlark.addMethods(env, Builtins.INSTANCE);
    Starlark.addMethods(env, JwtBuiltins.INSTANCE);
    Starlark.addMethods(env, FaultBuiltins.INSTANCE);
    Starlark.addMethods(env, ServiceBuiltins.INSTANCE);
    Starlark.addMethods(env, SuiteBuiltins.INSTANCE);
    Starlark.addMethods(env, MatrixBuiltins.INSTANCE);
    Starlark.addMethods(env, EventBuiltins.INSTANCE);
    env.put("match", Matcher.Namespace.INSTANCE);
    env.putAll(FrontEnd.PREDECLARED);
    return env.build();
  }

  /**
   * What every file sees without a load: the kernel's builtins, then the public names of the
   * plugins' preludes (a protocol's response constructors), which may not shadow a builtin.
   */
  private Map<String, Object> predeclared() throws SpecException {
    if (predeclared == null) {
      Map<String, Object> base = builtins();
      Map<String, Object> all = new LinkedHashMap<>(base);
      for (StarlarkLibrary prelude : plugins.preludes()) {
        net.starlark.java.eval.Module m = execute(Stdlib.PREFIX + prelude.path(), prelude.source(), base);
        m.getExportedGlobals().forEach((name, value) -> {
          if (!name.startsWith("_")) {
            all.putIfAbsent(name, value);
          }
        });
      }
      predeclared = Map.copyOf(all);
    }
    return predeclared;
  }

  /** Loader for the load phase: executes a module the first time it is named. */
  private net.starlark.java.eval.Module load(String name) {
    loadFailure = null;
    String key;
    String source;
    try {
      if (name.startsWith(Stdlib.PREFIX)) {
        key = name;
        String path = name.substring(Stdlib.PREFIX.length());
        source = stdlib.source(path).orElseThrow(() -> new SpecException(null,
            "load(\"" + name + "\"): no such file in the faultbox stdlib; available: "
                + String.join(", ", stdlib.files().keySet())));
      } else {
        Path file = resolve(name, "load");
        Path shown = Path.of(displayName).resolveSibling(name).normalize();
        key = shown.toString();
        try {
          source = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new SpecException(null, "load(\"" + name + "\"): cannot read " + key);
        }
      }
      net.starlark.java.eval.Module cached = modules.get(key);
      if (cached != null) {
        return cached;
      }
      if (loading.contains(key)) {
        throw new SpecException(null, "load cycle: " + String.join(" -> ", loading) + " -> " + key);
      }
      loading.push(key);
      try {
        net.starlark.java.eval.Module m = execute(key, source);
        modules.put(key, m);
        return m;
      } finally {
        loading.pop();
      }
    } catch (SpecException e) {
      loadFailure = e;
      return null;
    } catch (EvalException e) {
      loadFailure = new SpecException(null, e.getMessage());
      return null;
    }
  }

  /** Resolves a spec-relative path, refusing one that leaves the spec's directory. */
  Path resolve(String path, String fn) throws EvalException {
    Path p = specDirectory.resolve(path).normalize();
    if (!p.startsWith(specDirectory)) {
      throw Starlark.errorf("%s(%s): path leaves the spec's directory; keep files beside the spec or below it",
          fn, Starlark.repr(path));
    }
    return p;
  }

  private final java.util.Set<Integer> chosenPorts = new java.util.HashSet<>(); // by freePort()

  /**
   * A port the OS says is free now on the bind address, for {@code interface(..., 0)}; never one
   * it gave this run before, so two such interfaces cannot meet.
   */
  synchronized int freePort(ProtocolFactory.Transport transport) throws EvalException {
    InetAddress at = options.bindAddress().isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : options.bindAddress();
    for (int attempt = 0; attempt < 20; attempt++) {
      int port;
      try {
        if (transport == ProtocolFactory.Transport.DATAGRAM) {
          try (java.net.DatagramSocket d = new java.net.DatagramSocket(new java.net.InetSocketAddress(at, 0))) {
            port = d.getLocalPort();
          }
        } else {
          try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, at)) {
            port = s.getLocalPort();
          }
        }
      } catch (IOException e) {
        throw Starlark.errorf("no free port on %s: %s", at.getHostAddress(), e.getMessage());
      }
      if (chosenPorts.add(port)) {
        return port;
      }
    }
    throw Starlark.errorf("no free port on %s that this run has not used already", at.getHostAddress());
  }

  /** The names of the root spec's globals. */
  public java.util.Set<String> globalNames() {
    return globals.keySet();
  }

  /** A global of the root spec (a service, an assumption...), for tools and tests; null if none. */
  public Object global(String name) {
    return globals.get(name);
  }

  /** Registers a test made by a builtin ({@code by}, such as fault_scenario), called at {@code at}. */
  void registerTest(String name, StarlarkCallable test, String by, SourceLocation at) throws EvalException {
    if (loaded) {
      throw Starlark.errorf("%s registers a test, so it belongs at the top level of the spec (or of a file it loads), "
          + "not inside a running test", by);
    }
    if (tests.putIfAbsent(name, test) != null) {
      Registration prior = registered.get(name);
      throw Starlark.errorf("a test named %s is already registered by %s at %s; give one of them another name",
          name, prior.by(), prior.at());
    }
    registered.put(name, new Registration(by, at));
  }

  /** The faults in force. */
  public FaultEngine faults() {
    return faults;
  }

  void register(ServiceDecl service) throws EvalException {
    ServiceDecl prior = services.putIfAbsent(service.name(), service);
    if (prior != null) {
      throw Starlark.errorf("service \"%s\" is already declared at %s; service names must be unique",
          service.name(), prior.declaredAt());
    }
  }

  /** Where a Starlark location is in the user's own source. */
  SourceLocation location(Location l) {
    Location o = frontEnd.locate(l);
    return new SourceLocation(o.file(), o.line(), o.column());
  }

  /** A Starlark error as the user should read it: their file:line:col and an unmangled message. */
  public SpecException describe(EvalException e) {
    if (loadFailure != null && e.getMessage().contains("was not correctly loaded")) {
      SpecException cause = loadFailure;
      if (cause.location() != null) {
        return cause;
      }
      return new SpecException(frontEnd.remap(e).location(), cause.reason());
    }
    SpecException mapped = frontEnd.remap(e);
    return new SpecException(mapped.location(), hint(Builtins.explain(mapped.reason())));
  }

  private static final java.util.regex.Pattern PRIVATE_SUGGESTION =
      java.util.regex.Pattern.compile(" \\(did you mean '_[^']*'\\?\\)");
  private static final java.util.regex.Pattern UNDEFINED = java.util.regex.Pattern.compile("name '(\\w+)' is not defined.*");
  private static final java.util.regex.Pattern NO_SYMBOL =
      java.util.regex.Pattern.compile("file '" + java.util.regex.Pattern.quote(Stdlib.PREFIX) + "([^']+)' does not contain symbol '\\w+'.*");

  /**
   * Points at the stdlib where a name comes from: a name used without its {@code load()} names
   * the module that exports it, and a symbol a module lacks lists what it does export. Private
   * ({@code _}) names are never suggested.
   */
  private String hint(String message) {
    String m = PRIVATE_SUGGESTION.matcher(message).replaceAll("");
    java.util.regex.Matcher undefined = UNDEFINED.matcher(m);
    if (undefined.matches()) {
      String name = undefined.group(1);
      java.util.Optional<String> module = stdlib.exporterOf(name);
      if (module.isPresent()) {
        return "name '" + name + "' is not defined; it comes from the stdlib: load(\"" + Stdlib.PREFIX + module.get() + "\", \"" + name + "\")";
      }
    }
    java.util.regex.Matcher missing = NO_SYMBOL.matcher(m);
    if (missing.matches()) {
      return m + "; it exports: " + String.join(", ", stdlib.exports(missing.group(1)));
    }
    return m;
  }

  /**
   * A failure the interpreter raised as an unchecked exception while running spec code: runaway
   * recursion, a {@code where=} predicate failing while events were iterated, or a bug below
   * Starlark. Reported at the innermost user frame, like any other error.
   */
  public SpecException describe(Starlark.UncheckedEvalException e) {
    Throwable cause = e.getCause();
    if (cause instanceof EventQuery.PredicateFailure p) {
      return describe(p.getCause());
    }
    String reason = cause instanceof StackOverflowError
        ? "maximum recursion depth exceeded"
        : "internal error: " + cause;
    return frontEnd.remap(reason, e.getCallStack());
  }

  /** The remapped Starlark call stack of an error, for verbose output. */
  public String traceback(EvalException e) {
    return frontEnd.traceback(e);
  }

  public PluginRegistry plugins() {
    return plugins;
  }

  /** The run's mock CA, made on first use. */
  public synchronized TlsAuthority tls() {
    if (tls == null) {
      tls = TlsAuthority.create();
    }
    return tls;
  }

  /** The key sign_jwt() signs with, made on first use. */
  synchronized JwtBuiltins.KeyPairValue defaultJwtKey() {
    if (jwtKey == null) {
      jwtKey = new JwtBuiltins.KeyPairValue(JwtBuiltins.DEFAULT_KID);
    }
    return jwtKey;
  }

  /**
   * The run's containers, connected to the engine on first use.
   *
   * @throws dev.faultbox.kernel.runtime.ProcessFailure when no engine answers, saying why
   */
  public synchronized dev.faultbox.kernel.runtime.Containers containers()
      throws dev.faultbox.kernel.runtime.ProcessFailure {
    if (containers == null) {
      containers = dev.faultbox.kernel.runtime.Containers.connect(SpecSession.class.getClassLoader());
    }
    return containers;
  }

  /** Whether a TLS mock (or mock_ca_path()) made the CA. */
  public synchronized boolean hasTls() {
    return tls != null;
  }

  /** The current event log: the running test's. */
  public EventLog events() {
    return events;
  }

  /**
   * Begins a test's scope on its event log: the spec-wide monitors (top-level ones no monitors=
   * list claimed) watch it from its first event.
   */
  public TestScope beginTest(EventLog log) {
    TestScope s = new TestScope(this, log);
    for (dev.faultbox.kernel.event.Monitor m : specMonitors) {
      if (!scopedMonitors.contains(m)) {
        try {
          s.monitors().add(m, 0);
        } catch (EvalException e) {
          throw new IllegalStateException(e); // on= was checked when monitor() ran
        }
      }
    }
    scope = s;
    return s;
  }

  /** Ends the running test's scope. */
  public void endTest() {
    scope = null;
  }

  /** The running test's scope; null while loading and between tests. */
  TestScope scope() {
    return scope;
  }

  void addSpecMonitor(dev.faultbox.kernel.event.Monitor m) {
    specMonitors.add(m);
  }

  /** Monitors a monitors= list names: they watch only where that list applies. */
  void scope(List<dev.faultbox.kernel.event.Monitor> ms) {
    scopedMonitors.addAll(ms);
  }

  /** Starts an empty event log, for a new test; mocks started from now on write to it. */
  public EventLog freshEvents() {
    events = new EventLog(options.maxEvents());
    return events;
  }

  public Options options() {
    return options;
  }

  public String displayName() {
    return displayName;
  }

  public Path specDirectory() {
    return specDirectory;
  }

  /** Services in declaration order. */
  public List<ServiceDecl> services() {
    return List.copyOf(services.values());
  }

  /** Services in an order where each comes after what it depends on. */
  public List<ServiceDecl> startOrder() {
    return Topology.order(services);
  }

  /** The builtin that registered a test (scenario, test(), fault_scenario, fault_matrix), or null for a def test_*. */
  public String registeredBy(String test) {
    Registration r = registered.get(test);
    return r == null ? null : r.by();
  }

  /** Where a test was defined (its def, or the builtin call that registered it); null if unknown. */
  public SourceLocation testLocation(String test) {
    Registration r = registered.get(test);
    if (r != null) {
      return r.at();
    }
    StarlarkCallable fn = tests.get(test);
    return fn == null ? null : location(fn.getLocation());
  }

  /** Test functions by name, sorted. */
  public Map<String, StarlarkCallable> tests() {
    return Collections.unmodifiableMap(tests);
  }

  ExecutorService scripts() {
    return scripts;
  }

  long handlerStepBudget() {
    return options.handlerStepBudget();
  }

  /** The port the spec wrote for an interface, before {@code --port-offset} moved it. */
  public int declaredPort(InterfaceSpec iface) {
    return iface.port() - options.portOffset();
  }

  /**
   * What a port number written in the spec (in a health check) means now: a port some interface
   * declares moved with it by {@code --port-offset}; any other port stays as written.
   */
  public int shiftedPort(int written) {
    int offset = options.portOffset();
    boolean declared = services.values().stream().flatMap(s -> s.interfaces().stream())
        .anyMatch(i -> declaredPort(i) == written);
    return declared ? written + offset : written;
  }

  /** The host specs and programs are told: {@code localhost} on loopback, else the bound address. */
  public String advertisedHost() {
    String dial = dialHost();
    return dial.equals("127.0.0.1") || dial.equals("::1") ? "localhost" : dial;
  }

  /** The host a test step dials to reach a mock. */
  String dialHost() {
    InetAddress bind = options.bindAddress();
    return bind.isAnyLocalAddress() ? "127.0.0.1" : bind.getHostAddress();
  }

  /**
   * Daemon threads for a plugin's event loops: {@code faultbox-<plugin>-N}, one factory per
   * plugin, so a thread left behind names its owner.
   */
  public java.util.concurrent.ThreadFactory threads(String pluginId) {
    return threadFactories.computeIfAbsent(pluginId, id -> {
      AtomicInteger n = new AtomicInteger();
      return r -> {
        Thread t = new Thread(r, "faultbox-" + id + "-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
    });
  }

  /** The run's scheduler for the mocks' timers (a fault's delay), made on first use. */
  public synchronized java.util.concurrent.ScheduledExecutorService scheduler() {
    if (scheduler == null) {
      scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "faultbox-timer");
        t.setDaemon(true);
        return t;
      });
    }
    return scheduler;
  }

  /** Ends the run: stops the script threads and the scheduler, removes the run's containers, and closes the plugins (once). */
  @Override
  public void close() {
    scripts.shutdownNow();
    synchronized (this) {
      if (scheduler != null) {
        scheduler.shutdownNow();
      }
      if (containers != null) {
        containers.close(); // never throws: each step of its cleanup is guarded
        containers = null;
      }
    }
    plugins.close();
  }

  /** Ordering and validation of depends_on. */
  static final class Topology {
    private Topology() {}

    static void check(Map<String, ServiceDecl> services, PluginRegistry plugins) throws SpecException {
      Map<String, String> ports = new HashMap<>(); // "transport port" -> "service.iface (protocol)"
      for (ServiceDecl s : services.values()) {
        for (var iface : s.interfaces()) {
          // Two protocols on one stream port (say, HTTP/1.1 and HTTP/2 mocks) cannot both bind it.
          ProtocolFactory.Transport transport = plugins.find(iface.protocol())
              .map(ProtocolFactory::transport).orElse(ProtocolFactory.Transport.STREAM);
          String key = transport + " " + iface.port();
          String owner = s.name() + "." + iface.name() + " (" + iface.protocol() + ")";
          String prior = ports.putIfAbsent(key, owner);
          if (prior != null) {
            throw new SpecException(s.declaredAt().toString(), owner + " and " + prior + " both listen on "
                + (transport == ProtocolFactory.Transport.DATAGRAM ? "UDP" : "TCP") + " port " + iface.port()
                + "; give each its own port");
          }
        }
        for (String d : s.dependsOn()) {
          if (!services.containsKey(d)) {
            throw new SpecException(s.declaredAt().toString(), "service \"" + s.name()
                + "\" depends on \"" + d + "\", which is not declared; declared: " + String.join(", ", services.keySet()));
          }
        }
      }
      try {
        order(services);
      } catch (CycleException e) {
        throw new SpecException(e.location, e.getMessage());
      }
    }

    static List<ServiceDecl> order(Map<String, ServiceDecl> services) {
      List<ServiceDecl> out = new ArrayList<>();
      Map<String, Integer> state = new HashMap<>(); // 1 visiting, 2 done
      for (ServiceDecl s : services.values()) {
        visit(s, services, state, out, new ArrayDeque<>());
      }
      return out;
    }

    private static void visit(ServiceDecl s, Map<String, ServiceDecl> all, Map<String, Integer> state,
        List<ServiceDecl> out, Deque<String> path) {
      Integer st = state.get(s.name());
      if (st != null && st == 2) {
        return;
      }
      path.addLast(s.name());
      if (st != null) {
        throw new CycleException(s.declaredAt().toString(), "depends_on cycle: " + String.join(" -> ", path));
      }
      state.put(s.name(), 1);
      for (String d : s.dependsOn()) {
        visit(all.get(d), all, state, out, path);
      }
      state.put(s.name(), 2);
      path.removeLast();
      out.add(s);
    }
  }

  /** A depends_on cycle, found while ordering. */
  static final class CycleException extends RuntimeException {
    final String location;

    CycleException(String location, String message) {
      super(message, null, false, false);
      this.location = location;
    }
  }
}
