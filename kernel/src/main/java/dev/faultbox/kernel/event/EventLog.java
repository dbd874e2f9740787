package dev.faultbox.kernel.event;

import dev.faultbox.spi.EventSink;
import dev.faultbox.spi.MockEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The run's append-only event log. Appends are lock-free (one counter increment and one slot
 * write), so plugins call it from their event loops; readers see every event whose append has
 * returned. Threads waiting for a condition are unparked on append instead of sleep-polling.
 */
public final class EventLog implements EventSink {
  private static final int CHUNK_BITS = 12;
  private static final int CHUNK = 1 << CHUNK_BITS;
  private static final int MAX_CHUNKS = 1 << 14; // 67M events per test: far beyond any spec

  private volatile AtomicReferenceArray<AtomicReferenceArray<Event>> chunks = newChunks();
  private final AtomicLong next = new AtomicLong();
  private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();

  private static AtomicReferenceArray<AtomicReferenceArray<Event>> newChunks() {
    return new AtomicReferenceArray<>(MAX_CHUNKS);
  }

  @Override
  public void emit(MockEvent e) {
    append(e.service(), e.iface(), "mock", "mock." + e.op(), e.op(), e.fields());
  }

  /** Appends an event and wakes any waiting assertion. Returns it. */
  public Event append(
      String service, String iface, String kind, String type, String op, Map<String, String> fields) {
    long seq = next.getAndIncrement();
    if (seq >= (long) MAX_CHUNKS * CHUNK) {
      throw new IllegalStateException("event log full");
    }
    Event event = new Event(seq, System.currentTimeMillis(), service, iface, kind, type, op, Map.copyOf(fields));
    var all = chunks;
    int c = (int) (seq >>> CHUNK_BITS);
    AtomicReferenceArray<Event> chunk = all.get(c);
    if (chunk == null) {
      all.compareAndSet(c, null, new AtomicReferenceArray<>(CHUNK));
      chunk = all.get(c);
    }
    chunk.set((int) (seq & (CHUNK - 1)), event);
    if (!waiters.isEmpty()) {
      waiters.forEach(LockSupport::unpark);
    }
    return event;
  }

  /** Every event so far, in sequence order. */
  public List<Event> snapshot() {
    long size = next.get();
    var all = chunks;
    List<Event> out = new ArrayList<>((int) size);
    for (long seq = 0; seq < size; seq++) {
      AtomicReferenceArray<Event> chunk;
      Event e;
      // A slot whose append is in flight is filled within nanoseconds: wait for it, keeping order.
      while ((chunk = all.get((int) (seq >>> CHUNK_BITS))) == null
          || (e = chunk.get((int) (seq & (CHUNK - 1)))) == null) {
        Thread.onSpinWait();
      }
      out.add(e);
    }
    return out;
  }

  /** The number of events appended so far. */
  public long size() {
    return next.get();
  }

  /** Forgets every event: called between tests, when no mock is running. */
  public void clear() {
    chunks = newChunks();
    next.set(0);
  }

  /**
   * Waits until {@code condition} holds or {@code timeoutNanos} pass, re-checking on every append
   * and at least every {@code recheckNanos} (for conditions that depend on more than events).
   *
   * @return whether the condition held
   */
  public boolean await(BooleanSupplier condition, long timeoutNanos, long recheckNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    Thread me = Thread.currentThread();
    waiters.add(me);
    try {
      while (true) {
        long seen = next.get();
        if (condition.getAsBoolean()) {
          return true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        if (next.get() == seen) {
          LockSupport.parkNanos(this, Math.min(left, recheckNanos));
        }
        if (Thread.interrupted()) {
          me.interrupt();
          return false;
        }
      }
    } finally {
      waiters.remove(me);
    }
  }

  /** Sleeps up to {@code nanos}, returning early only on interrupt. */
  public static void pause(long nanos) {
    long deadline = System.nanoTime() + nanos;
    long left;
    while ((left = deadline - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
      LockSupport.parkNanos(left);
    }
  }

  static long millis(long ms) {
    return TimeUnit.MILLISECONDS.toNanos(ms);
  }
}
