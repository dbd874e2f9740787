package dev.faultbox.kernel.runtime;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.event.Recorder;
import dev.faultbox.kernel.spec.ContainerSpec;
import dev.faultbox.kernel.spec.ProcessSpec;
import dev.faultbox.kernel.spec.ServiceDecl;
import dev.faultbox.kernel.spec.SpecSession;
import dev.faultbox.spi.FaultGate;
import dev.faultbox.spi.InterfaceSpec;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.TlsIdentity;
import java.net.BindException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a spec's services in dependency order — mocks in-process, programs as processes wired
 * to them — and stops them all, releasing every port and leaving no process behind. Used once
 * per test by the runner, and once for the whole of {@code faultbox run}.
 */
public final class ServiceRuntime implements AutoCloseable {

  /** A running mock interface, for listing endpoints. */
  public record Running(MockDefinition definition, MockServer server) {}

  /** A running program or container (a system under test), for listing: what it is and its interfaces. */
  public record Program(String service, String description, List<InterfaceSpec> interfaces) {}

  private final SpecSession session;
  private final Recorder events;
  private final List<Running> running = new ArrayList<>();
  private final List<Workload> processes = new ArrayList<>(); // programs and containers, in start order
  private final List<Program> programs = new ArrayList<>();

  /** @param events where the services' events go */
  public ServiceRuntime(SpecSession session, Recorder events) {
    this.session = session;
    this.events = events;
  }

  /**
   * Starts every service. On failure, stops what did start.
   *
   * @throws SpecException when a mock cannot start (a port in use): the run cannot go on
   * @throws ProcessFailure when a program will not start or become healthy: the test fails
   */
  public void start() throws SpecException, ProcessFailure, InterruptedException {
    try {
      for (ServiceDecl service : session.startOrder()) {
        if (service.process().isPresent()) {
          startProcess(service, service.process().get());
          continue;
        }
        if (service.container().isPresent()) {
          startContainer(service, service.container().get());
          continue;
        }
        for (PreparedMock prepared : service.prepared()) {
          MockDefinition def = prepared.definition();
          ProtocolFactory factory = session.plugins().find(def.iface().protocol()).orElseThrow();
          try {
            running.add(new Running(def, factory.start(prepared, context(def, factory))));
          } catch (Exception e) {
            throw failure(def, e);
          }
        }
      }
    } catch (SpecException | ProcessFailure | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private void startProcess(ServiceDecl service, ProcessSpec spec) throws ProcessFailure, InterruptedException {
    portsFree(service, "program");
    RunningProcess p = RunningProcess.start(service.name(), spec, environment(spec), events);
    processes.add(p);
    programs.add(new Program(service.name(), p.describe(), service.interfaces()));
    if (spec.health() != null) {
      p.awaitHealthy(shifted(spec.health()));
    }
  }

  /** A port still held by something else would answer the health check for the service. */
  private void portsFree(ServiceDecl service, String what) throws ProcessFailure {
    for (InterfaceSpec i : service.interfaces()) {
      if (!Ports.free(session.options().bindAddress(), i.port())) {
        throw new ProcessFailure("service " + service.name() + ": port " + i.port() + " of interface " + i.name()
            + " is already in use before the " + what + " starts; stop what holds it");
      }
    }
  }

  /** Where the mock CA and the trust bundle appear inside a container. */
  static final String CONTAINER_CA = "/run/faultbox/mock-ca.pem";
  static final String CONTAINER_BUNDLE = "/run/faultbox/trust-bundle.pem";

  /**
   * Starts a container on the host network, where every service of the spec is a host name for
   * the loopback address, so {@code http://auth:8090} in its env reaches the mock as written. A
   * {@code reuse=True} container started by an earlier test is kept.
   */
  private void startContainer(ServiceDecl service, ContainerSpec spec) throws ProcessFailure, InterruptedException {
    Containers containers = session.containers();
    Workload kept = spec.reuse() ? containers.reused(service.name()) : null;
    if (kept != null && kept.alive()) {
      programs.add(new Program(service.name(), kept.describe(), service.interfaces()));
      return;
    }
    if (kept != null) { // it died since: remove it, or the new one's name would clash
      kept.close();
      containers.forget(service.name());
    }
    portsFree(service, "container");
    String image = containers.image(service.name(), spec);
    Map<String, String> env = addresses();
    List<ContainerEngine.Mount> mounts = new ArrayList<>();
    spec.volumes().forEach((host, inside) -> mounts.add(new ContainerEngine.Mount(host, inside, false)));
    if (tlsMocks()) {
      mounts.add(new ContainerEngine.Mount(session.tls().caFile(), CONTAINER_CA, true));
      mounts.add(new ContainerEngine.Mount(session.tls().trustBundle(), CONTAINER_BUNDLE, true));
      env.put("FAULTBOX_MOCK_CA", CONTAINER_CA);
      env.put("SSL_CERT_FILE", CONTAINER_BUNDLE);
    }
    // Service names resolve inside the container, so only a port --port-offset moved is rewritten.
    env.putAll(rewritten(spec.env(), (s, i) -> s.name() + ":" + i.port()));
    InetAddress bind = session.options().bindAddress();
    String loopback = bind.isAnyLocalAddress() ? "127.0.0.1" : bind.getHostAddress();
    Map<String, String> hosts = new LinkedHashMap<>();
    session.services().forEach(s -> hosts.put(s.name(), loopback));
    // A reused container outlives this test: its output goes to whichever test is running.
    Recorder sink = spec.reuse() ? new Recorder() {
      @Override
      public void emit(dev.faultbox.spi.MockEvent e) {
        session.events().emit(e);
      }

      @Override
      public void record(String svc, String iface, String kind, String type, String op, Map<String, ?> fields) {
        session.events().record(svc, iface, kind, type, op, fields);
      }
    } : events;
    Workload c = containers.engine().start(new ContainerEngine.Launch(service.name(), image, spec.args(), env, hosts,
        mounts, containers.labels(service.name())), sink);
    if (spec.reuse()) {
      containers.keep(service.name(), c);
    } else {
      processes.add(c);
    }
    programs.add(new Program(service.name(), c.describe(), service.interfaces()));
    if (spec.health() != null) {
      try {
        c.awaitHealthy(shifted(spec.health()));
      } catch (ProcessFailure | InterruptedException e) {
        if (spec.reuse()) {
          c.close(); // not healthy: the next test starts it afresh
          containers.forget(service.name());
        }
        throw e;
      }
    }
  }

  /** Every service's address as FAULTBOX_SVC_IFACE_ADDR/_HOST/_PORT. */
  private Map<String, String> addresses() {
    Map<String, String> env = new LinkedHashMap<>();
    String host = session.advertisedHost();
    for (ServiceDecl s : session.services()) {
      for (InterfaceSpec i : s.interfaces()) {
        String prefix = "FAULTBOX_" + envName(s.name()) + "_" + envName(i.name()) + "_";
        env.put(prefix + "HOST", host);
        env.put(prefix + "PORT", Integer.toString(i.port()));
        env.put(prefix + "ADDR", Ports.hostPort(host, i.port()));
      }
    }
    return env;
  }

  /** Whether the spec has TLS mocks: decided by the spec, not by whether one has started yet. */
  private boolean tlsMocks() {
    return session.services().stream().anyMatch(s -> s.mocks().stream().anyMatch(MockDefinition::tls));
  }

  /**
   * What a program sees: the inherited environment, every service's address as
   * FAULTBOX_SVC_IFACE_ADDR/_HOST/_PORT, then the spec's env with {@code <service>:<declared port>}
   * rewritten to the loopback address and the port the interface listens on, and the mock CA when
   * TLS mocks run.
   */
  Map<String, String> environment(ProcessSpec spec) {
    Map<String, String> env = addresses();
    String host = session.advertisedHost();
    if (tlsMocks()) {
      env.put("FAULTBOX_MOCK_CA", session.tls().caFile().toString());
      env.put("SSL_CERT_FILE", session.tls().trustBundle().toString());
    }
    env.putAll(rewritten(spec.env(), (s, i) -> Ports.hostPort(host, i.port())));
    return env;
  }

  /**
   * The spec's env with each {@code <service>:<declared port>} replaced by what {@code address}
   * makes of that interface, in one pass: a replacement is never rewritten again.
   */
  private Map<String, String> rewritten(Map<String, String> specEnv, BiFunction<ServiceDecl, InterfaceSpec, String> address) {
    Map<String, String> replacements = new LinkedHashMap<>();
    for (ServiceDecl s : session.services()) {
      for (InterfaceSpec i : s.interfaces()) {
        replacements.put(s.name() + ":" + session.declaredPort(i), address.apply(s, i));
      }
    }
    if (replacements.isEmpty()) {
      return specEnv;
    }
    String names = replacements.keySet().stream().map(Pattern::quote).collect(java.util.stream.Collectors.joining("|"));
    // "auth:8090" as a whole name, not inside "myauth:8090" or "auth:80901"
    Pattern written = Pattern.compile("(?<![A-Za-z0-9._-])(" + names + ")(?!\\d)");
    Map<String, String> env = new LinkedHashMap<>();
    specEnv.forEach((k, v) -> env.put(k,
        written.matcher(v).replaceAll(m -> Matcher.quoteReplacement(replacements.get(m.group(1))))));
    return env;
  }

  /** A health check with a declared port moved by --port-offset, as the interface itself moved. */
  private ProcessSpec.Healthcheck shifted(ProcessSpec.Healthcheck check) {
    return new ProcessSpec.Healthcheck(check.http(), check.host(), session.shiftedPort(check.port()), check.path(),
        check.timeout());
  }

  private static String envName(String name) {
    return name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  private SpecException failure(MockDefinition def, Exception e) {
    String what = "mock \"" + def.service() + "\" interface \"" + def.iface().name() + "\"";
    String where = session.options().bindAddress().getHostAddress() + ":" + def.iface().port();
    if (causedBy(e, BindException.class)) {
      return new SpecException(def.declaredAt().toString(),
          what + ": port " + def.iface().port() + " (" + def.iface().protocol() + " on " + where
              + ") is already in use; stop what holds it or pick another port");
    }
    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new SpecException(def.declaredAt().toString(), what + " failed to start on " + where + ": " + reason);
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private MockContext context(MockDefinition def, ProtocolFactory factory) {
    ThreadFactory threads = session.threads(session.plugins().owner(factory).id());
    ScheduledExecutorService scheduler = session.scheduler();
    InetAddress bind = session.options().bindAddress();
    Logger logger = LoggerFactory.getLogger("faultbox.mock." + def.service() + "." + def.iface().name());
    Optional<TlsIdentity> tls = def.tls() ? Optional.of(session.tls().issue(def.service())) : Optional.empty();
    FaultGate faults = session.faults().gate(def.service(), def.iface().name());
    Recorder sink = events;
    return new MockContext() {
      @Override
      public dev.faultbox.spi.EventSink events() {
        return sink;
      }

      @Override
      public FaultGate faults() {
        return faults;
      }

      @Override
      public InetAddress bindAddress() {
        return bind;
      }

      @Override
      public Logger logger() {
        return logger;
      }

      @Override
      public Optional<TlsIdentity> tls() {
        return tls;
      }

      @Override
      public ThreadFactory threads() {
        return threads;
      }

      @Override
      public ScheduledExecutorService scheduler() {
        return scheduler;
      }
    };
  }

  /** The mock interfaces now serving, in start order. */
  public List<Running> running() {
    return List.copyOf(running);
  }

  /** The programs now running, in start order. */
  public List<Program> programs() {
    return List.copyOf(programs);
  }

  /** The last lines each program printed, by service, for a failing test's report. */
  public Map<String, List<String>> programOutput() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    processes.forEach(p -> out.put(p.name(), p.lastOutput()));
    session.services().forEach(s -> {
      Workload kept = s.container().isPresent() && s.container().get().reuse() ? reusedOf(s.name()) : null;
      if (kept != null) {
        out.put(s.name(), kept.lastOutput());
      }
    });
    return out;
  }

  private Workload reusedOf(String service) {
    try {
      return session.containers().reused(service);
    } catch (ProcessFailure e) {
      return null;
    }
  }

  /** Stops every service, last started first: programs and containers, then mocks. Idempotent; reuse=True containers stay. */
  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      try {
        processes.get(i).close(); // kept, closed, for the failure report's last lines
      } catch (RuntimeException e) { // the others must still stop, and the mocks release their ports
        LoggerFactory.getLogger(ServiceRuntime.class).warn("stopping {}: {}", processes.get(i).name(), e.toString());
      }
    }
    for (int i = running.size() - 1; i >= 0; i--) {
      try {
        running.get(i).server().close();
      } catch (RuntimeException e) {
        LoggerFactory.getLogger(ServiceRuntime.class).warn("stopping {}: {}", running.get(i).definition().service(), e.toString());
      }
    }
    running.clear();
    programs.clear();
  }
}
