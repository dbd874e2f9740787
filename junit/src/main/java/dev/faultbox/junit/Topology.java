package dev.faultbox.junit;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.event.Event;
import dev.faultbox.kernel.event.EventLog;
import dev.faultbox.kernel.event.Recorder;
import dev.faultbox.kernel.fault.FaultAssumption;
import dev.faultbox.kernel.fault.FaultEngine;
import dev.faultbox.kernel.runtime.ProcessFailure;
import dev.faultbox.kernel.runtime.ServiceRuntime;
import dev.faultbox.kernel.spec.ServiceDecl;
import dev.faultbox.kernel.spec.SpecSession;
import dev.faultbox.spi.InterfaceSpec;
import dev.faultbox.spi.MockEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A loaded spec's services, started from Java: their addresses, their events, and the spec's
 * fault assumptions to lay. {@link #close()} stops everything and releases every port at once.
 * Not thread-safe: one test drives it at a time.
 */
public final class Topology implements AutoCloseable {
  private final SpecSession session;
  private ServiceRuntime running;
  private final Recorder current; // the services write to whichever log is current: resetEvents() swaps it

  Topology(SpecSession session) {
    this.session = session;
    this.current = new Recorder() {
      @Override
      public void emit(MockEvent e) {
        session.events().emit(e);
      }

      @Override
      public void record(String service, String iface, String kind, String type, String op, Map<String, ?> fields) {
        session.events().record(service, iface, kind, type, op, fields);
      }
    };
  }

  /** Starts every service of the spec, in depends_on order; returns this. */
  public Topology start() {
    if (running != null) {
      throw new IllegalStateException("the topology is already started");
    }
    session.freshEvents();
    ServiceRuntime r = new ServiceRuntime(session, current);
    try {
      r.start();
    } catch (SpecException e) {
      throw new FaultboxException(e.getMessage());
    } catch (ProcessFailure e) {
      throw new FaultboxException(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FaultboxException("interrupted while starting the services of " + session.displayName());
    }
    running = r;
    return this;
  }

  /** Stops the services, if started, so {@link #start()} may start them afresh. */
  public void stop() {
    if (running != null) {
      running.close();
      running = null;
    }
    session.faults().clear();
  }

  /** Stops the services and ends the run: its containers are removed and the plugins closed. */
  @Override
  public void close() {
    stop();
    session.close();
  }

  /** Whether the services are running. */
  public boolean isStarted() {
    return running != null;
  }

  /** Where an interface listens: {@code 127.0.0.1:8090}. */
  public InetSocketAddress address(String service, String iface) {
    return new InetSocketAddress(host(), find(service, iface).port());
  }

  /** The interface's URL: {@code http://127.0.0.1:8090}, {@code rediss://127.0.0.1:6380}. */
  public String url(String service, String iface) {
    InterfaceSpec i = find(service, iface);
    boolean tls = declaration(service).mocks().stream()
        .anyMatch(m -> m.iface().name().equals(iface) && m.tls());
    String scheme = session.plugins().find(i.protocol()).map(f -> f.urlScheme(tls)).orElse(i.protocol());
    String host = host().getHostAddress();
    return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + i.port();
  }

  /**
   * Every interface as {@code faultbox.<service>.<interface>.url}, {@code .host} and {@code .port},
   * for a framework's configuration (Spring's {@code @DynamicPropertySource}).
   */
  public Map<String, String> properties() {
    Map<String, String> out = new LinkedHashMap<>();
    for (ServiceDecl s : session.services()) {
      for (InterfaceSpec i : s.interfaces()) {
        String key = "faultbox." + s.name() + "." + i.name() + ".";
        out.put(key + "url", url(s.name(), i.name()));
        out.put(key + "host", host().getHostAddress());
        out.put(key + "port", Integer.toString(i.port()));
      }
    }
    return out;
  }

  /** The events recorded since the services started or {@link #resetEvents()}, as a query. */
  public Events events() {
    return new Events(session::events);
  }

  /** Forgets the events recorded so far. */
  public void resetEvents() {
    session.freshEvents();
  }

  /**
   * Waits until {@code query} matches at least {@code count} events; returns them.
   *
   * @throws AssertionError after {@code timeout}, saying how many matched
   */
  public List<Event> awaitEvents(Events query, int count, Duration timeout) {
    EventLog log = query.log();
    boolean reached = log.await(() -> query.count() >= count, timeout.toNanos(), TimeUnit.MILLISECONDS.toNanos(50));
    if (Thread.currentThread().isInterrupted()) {
      throw new AssertionError("interrupted while waiting for " + count + " events matching " + query);
    }
    if (!reached) {
      throw new AssertionError("expected " + count + " events matching " + query + " within " + timeout.toMillis()
          + "ms, saw " + query.count());
    }
    return query.list();
  }

  /** Lays the spec's {@code fault_assumption} of that name until the handle is closed. */
  public Fault fault(String assumption) {
    if (!(session.global(assumption) instanceof FaultAssumption a)) {
      throw new IllegalArgumentException("the spec " + session.displayName() + " has no fault_assumption named "
          + assumption + "; it has: " + (assumptions().isEmpty() ? "none" : String.join(", ", assumptions())));
    }
    return new Fault(session.faults(), session.faults().apply(List.of(a)), assumption);
  }

  /** The names of the spec's fault assumptions (its top-level globals that are one). */
  public List<String> assumptions() {
    return session.globalNames().stream().filter(n -> session.global(n) instanceof FaultAssumption).sorted().toList();
  }

  /** A laid fault; closing lifts it. */
  public static final class Fault implements AutoCloseable {
    private final FaultEngine engine;
    private final FaultEngine.Window window;
    private final String name;
    private boolean closed;

    Fault(FaultEngine engine, FaultEngine.Window window, String name) {
      this.engine = engine;
      this.window = window;
      this.name = name;
    }

    /** How many requests its rules decided so far. */
    public long fired() {
      return window.fired();
    }

    public String name() {
      return name;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        engine.remove(window);
      }
    }
  }

  SpecSession session() {
    return session;
  }

  private InetAddress host() {
    InetAddress bind = session.options().bindAddress();
    return bind.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bind;
  }

  private ServiceDecl declaration(String service) {
    return session.services().stream().filter(s -> s.name().equals(service)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("the spec " + session.displayName() + " has no service "
            + service + "; it has: " + String.join(", ", session.services().stream().map(ServiceDecl::name).toList())));
  }

  private InterfaceSpec find(String service, String iface) {
    ServiceDecl s = declaration(service);
    return s.interfaces().stream().filter(i -> i.name().equals(iface)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("service " + service + " has no interface " + iface
            + "; it has: " + String.join(", ", s.interfaces().stream().map(InterfaceSpec::name).toList())));
  }
}
