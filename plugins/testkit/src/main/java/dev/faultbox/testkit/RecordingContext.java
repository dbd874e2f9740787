package dev.faultbox.testkit;

import dev.faultbox.spi.EventSink;
import dev.faultbox.spi.FaultGate;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.TlsIdentity;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MockContext} for plugin tests: records every emitted event, binds 127.0.0.1, and asks a
 * settable {@link FaultGate} (pass-through until set). Thread-safe.
 */
public final class RecordingContext implements MockContext {

  private static final InetAddress LOOPBACK = loopbackV4();

  /** Tests share one scheduler and one thread factory, as a run's mocks do. */
  private static final java.util.concurrent.ThreadFactory THREADS = new java.util.concurrent.ThreadFactory() {
    private final java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, THREAD_PREFIX + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  };
  private static final java.util.concurrent.ScheduledExecutorService SCHEDULER =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "faultbox-test-timer");
        t.setDaemon(true);
        return t;
      });

  /** The name prefix of the threads {@link #threads()} makes. */
  public static final String THREAD_PREFIX = "faultbox-test-";

  private final Object lock = new Object();
  private final List<MockEvent> recorded = new ArrayList<>();
  private final WatchedLogger logger;
  private volatile FaultGate gate = FaultGate.PASS_THROUGH;
  private volatile TlsIdentity tls;

  public RecordingContext() {
    this("faultbox.test.mock");
  }

  public RecordingContext(String loggerName) {
    this.logger = new WatchedLogger(LoggerFactory.getLogger(loggerName));
  }

  @Override
  public EventSink events() {
    return this::record;
  }

  @Override
  public FaultGate faults() {
    return gate;
  }

  /** Lends the mock a TLS identity, as the kernel does for {@code tls=True}; returns this. */
  public RecordingContext withTls(TlsIdentity identity) {
    this.tls = identity;
    return this;
  }

  @Override
  public Optional<TlsIdentity> tls() {
    return Optional.ofNullable(tls);
  }

  /** Replaces the fault gate; requests that arrive afterwards ask the new one. */
  public RecordingContext setFaultGate(FaultGate gate) {
    this.gate = Objects.requireNonNull(gate, "gate");
    return this;
  }

  @Override
  public java.util.concurrent.ThreadFactory threads() {
    return THREADS;
  }

  @Override
  public java.util.concurrent.ScheduledExecutorService scheduler() {
    return SCHEDULER;
  }

  @Override
  public InetAddress bindAddress() {
    return LOOPBACK;
  }

  @Override
  public Logger logger() {
    return logger;
  }

  /** What the mock logged through {@link #logger()} at WARN or ERROR so far, one line each. */
  public List<String> warnings() {
    return logger.warnings();
  }

  /** A snapshot of the events recorded so far, in emission order. */
  public List<MockEvent> recorded() {
    synchronized (lock) {
      return List.copyOf(recorded);
    }
  }

  /** A snapshot of the recorded events with the given op. */
  public List<MockEvent> recorded(String op) {
    return recorded().stream().filter(e -> e.op().equals(op)).toList();
  }

  /** Waits for the first event with {@code op}; fails the test if none comes within {@code timeout}. */
  public MockEvent awaitOp(String op, java.time.Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<MockEvent> events = recorded(op);
      if (!events.isEmpty()) {
        return events.get(0);
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("no " + op + " event within " + timeout + ": " + recorded());
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Forgets the events recorded so far. */
  public void clear() {
    synchronized (lock) {
      recorded.clear();
    }
  }

  /**
   * Waits until at least {@code count} events were recorded and returns a snapshot of all of them.
   *
   * @throws AssertionError when fewer arrived within {@code timeout}, listing those that did
   */
  public List<MockEvent> awaitEvents(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (recorded.size() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "expected " + count + " events within " + timeout.toMillis() + "ms, got "
                  + recorded.size() + ": " + recorded);
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000), 0);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for events", e);
        }
      }
      return List.copyOf(recorded);
    }
  }

  /** Waits for the first event and returns it; see {@link #awaitEvents(int, Duration)}. */
  public MockEvent awaitEvent(Duration timeout) {
    return awaitEvents(1, timeout).get(0);
  }

  private void record(MockEvent event) {
    Objects.requireNonNull(event, "event");
    synchronized (lock) {
      recorded.add(event);
      lock.notifyAll();
    }
  }

  private static InetAddress loopbackV4() {
    try {
      return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
