package dev.faultbox.kernel.fault;

import dev.faultbox.kernel.event.EventLog;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultGate;
import dev.faultbox.spi.FaultProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The faults in force, per interface, and the gate each mock asks. Rules change only between
 * requests (when a fault window opens or closes), so gates read an immutable list published
 * through a concurrent map: no lock on the request path except to roll a seeded probability.
 */
public final class FaultEngine {

  /** A rule in force, with the name of the fault that laid it and the window it belongs to. */
  private record Active(String fault, FaultRule rule, Window window) {}

  /**
   * Rules laid together, lifted together: what {@link #apply} returns for {@link #remove}. It
   * counts the requests its rules decided, so a caller can tell a fault that never fired.
   */
  public record Window(List<FaultAssumption> assumptions, java.util.concurrent.atomic.AtomicLong fires) {
    /** How many requests a rule of this window has decided so far. */
    public long fired() {
      return fires.get();
    }
  }

  private final Map<String, List<Active>> active = new ConcurrentHashMap<>();
  private final Random random;
  private final Supplier<EventLog> events;
  private volatile String failedUnder = "";

  /** @param seed seeds probability rolls, so runs repeat */
  public FaultEngine(long seed, Supplier<EventLog> events) {
    this.random = new Random(seed);
    this.events = events;
  }

  private static String key(String service, String iface) {
    return service + "." + iface;
  }

  /** The gate of one interface. */
  public FaultGate gate(String service, String iface) {
    String key = key(service, iface);
    return probe -> decide(active.getOrDefault(key, List.of()), probe);
  }

  private FaultDecision decide(List<Active> rules, FaultProbe probe) {
    for (Active a : rules) {
      if (a.rule().matches(probe) && roll(a.rule().probability())) {
        a.window().fires().incrementAndGet();
        return a.rule().decision(a.fault());
      }
    }
    return FaultDecision.PASS;
  }

  private boolean roll(double probability) {
    if (probability >= 1) {
      return true;
    }
    synchronized (random) {
      return random.nextDouble() < probability;
    }
  }

  /**
   * Lays the assumptions' rules on their interfaces, recording a fault.applied event each. Rules
   * laid later take precedence, so an inner fault window is not hidden by an outer one.
   */
  public Window apply(List<FaultAssumption> assumptions) {
    Window window = new Window(List.copyOf(assumptions), new java.util.concurrent.atomic.AtomicLong());
    for (FaultAssumption a : assumptions) {
      for (FaultAssumption.Binding b : a.bindings()) {
        active.compute(key(b.service(), b.iface()), (k, old) -> {
          List<Active> next = new ArrayList<>();
          b.rules().forEach(r -> next.add(new Active(a.name(), r, window)));
          next.addAll(old == null ? List.of() : old);
          return List.copyOf(next);
        });
        record(b, a.name(), "applied");
      }
    }
    return window;
  }

  /** Lifts what {@link #apply} laid, and only that, recording a fault.removed event each. */
  public void remove(Window window) {
    for (FaultAssumption a : window.assumptions()) {
      for (FaultAssumption.Binding b : a.bindings()) {
        active.computeIfPresent(key(b.service(), b.iface()), (k, old) -> {
          List<Active> next = old.stream().filter(x -> x.window() != window).toList();
          return next.isEmpty() ? null : next;
        });
        record(b, a.name(), "removed");
      }
    }
  }

  /** The names of the faults laid now, in the order laid. */
  public String inForce() {
    return active.values().stream().flatMap(List::stream).map(Active::fault).distinct().sorted()
        .collect(Collectors.joining(", "));
  }

  private void record(FaultAssumption.Binding b, String fault, String what) {
    String rules = b.rules().stream().map(net.starlark.java.eval.Starlark::repr).collect(Collectors.joining(", "));
    events.get().append(b.service(), b.iface(), "fault", "fault." + what, what, Map.of("assumption", fault, "rules", rules));
  }

  /** Lifts every rule: between tests. */
  public void clear() {
    active.clear();
    failedUnder = "";
  }

  /** Notes the faults in force when a test failed, for its report; the innermost report wins. */
  public void failedUnder(String faults) {
    if (failedUnder.isEmpty()) {
      failedUnder = faults;
    }
  }

  /** The faults in force when the current test failed, or empty; reading forgets it. */
  public String takeFailedUnder() {
    String f = failedUnder;
    failedUnder = "";
    return f;
  }
}
