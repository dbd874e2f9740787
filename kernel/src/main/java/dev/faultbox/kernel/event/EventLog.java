package dev.faultbox.kernel.event;

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
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * An append-only event log: one per test, so a late event from a stopped mock can never land in
 * the next test. Appends are lock-free (one counter increment and one slot write), so plugins
 * call it from their event loops; readers see every event whose append has returned. Threads
 * waiting for a condition are unparked on append instead of sleep-polling.
 */
public final class EventLog implements Recorder {
  private static final int CHUNK_BITS = 12;
  private static final int CHUNK = 1 << CHUNK_BITS;
  private static final int MAX_CHUNKS = 1 << 14; // 67M events per test: far beyond any spec

  /** A waiter re-checks at most this often, so a burst of events cannot pin a core. */
  private static final long MIN_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  /** How many events a test keeps unless told otherwise ({@code --max-events}). */
  public static final long DEFAULT_MAX_EVENTS = 1_000_000;

  private final AtomicReferenceArray<AtomicReferenceArray<Event>> chunks = new AtomicReferenceArray<>(MAX_CHUNKS);
  private final AtomicLong next = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();
  private final long max;
  private final Compact compact = new Compact();

  public EventLog() {
    this(DEFAULT_MAX_EVENTS);
  }

  /**
   * @param max how many events to keep: past them one {@code log.overflow} event (service
   *     {@code faultbox}) counts what was dropped, so a runaway test cannot exhaust the heap
   */
  public EventLog(long max) {
    if (max < 1 || max >= (long) MAX_CHUNKS * CHUNK) {
      throw new IllegalArgumentException("max events must be in 1.." + ((long) MAX_CHUNKS * CHUNK - 1) + ", got " + max);
    }
    this.max = max;
  }

  @Override
  public void emit(MockEvent e) {
    String op = compact.string(e.op());
    append(e.service(), e.iface(), "mock", compact.mockType(op), op, e.fields());
  }

  @Override
  public void record(String service, String iface, String kind, String type, String op, Map<String, ?> fields) {
    append(service, iface, kind, type, op, fields);
  }

  /** Appends an event and wakes any waiting assertion; past the limit, only counts it. */
  public void append(String service, String iface, String kind, String type, String op, Map<String, ?> fields) {
    if (next.get() > max) {
      dropped.incrementAndGet();
      return;
    }
    // Everything that can fail comes before a sequence number is claimed: a claimed slot is
    // always filled, or every reader would wait on it for ever.
    String s = compact.string(service);
    String i = compact.string(iface);
    String k = compact.string(kind);
    String o = compact.string(op);
    Map<String, Object> f = compact.fields(fields);
    long seq;
    do {
      seq = next.get();
      if (seq > max) {
        dropped.incrementAndGet();
        return;
      }
    } while (!next.compareAndSet(seq, seq + 1));
    Event event;
    if (seq == max) { // the first one past the limit: its slot holds the overflow marker instead
      dropped.incrementAndGet();
      event = new Event(seq, System.currentTimeMillis(), "faultbox", "", "log", "log.overflow", "overflow", new Overflow());
    } else {
      event = new Event(seq, System.currentTimeMillis(), s, i, k, type, o, f);
    }
    int c = (int) (seq >>> CHUNK_BITS);
    AtomicReferenceArray<Event> chunk = chunks.get(c);
    if (chunk == null) {
      chunks.compareAndSet(c, null, new AtomicReferenceArray<>(CHUNK));
      chunk = chunks.get(c);
    }
    chunk.set((int) (seq & (CHUNK - 1)), event);
    if (!waiters.isEmpty()) {
      waiters.forEach(LockSupport::unpark);
    }
  }

  /** How many events were dropped past the limit: 0 unless the test recorded more than it keeps. */
  public long dropped() {
    return dropped.get();
  }

  public long maxEvents() {
    return max;
  }

  /** The overflow event's fields, read live: {@code dropped} keeps counting. */
  private final class Overflow extends java.util.AbstractMap<String, Object> {
    @Override
    public java.util.Set<Entry<String, Object>> entrySet() {
      return java.util.Set.of(Map.entry("dropped", dropped.get()), Map.entry("max_events", max));
    }
  }

  /** Every event so far, in sequence order. */
  public List<Event> snapshot() {
    List<Event> out = new ArrayList<>((int) size());
    forEach(out::add);
    return out;
  }

  /** How many events so far satisfy {@code test}, without copying the log. */
  public int count(Predicate<Event> test) {
    int[] n = {0};
    forEach(e -> {
      if (test.test(e)) {
        n[0]++;
      }
    });
    return n[0];
  }

  private void forEach(Consumer<Event> visitor) {
    long size = next.get();
    for (long seq = 0; seq < size; seq++) {
      visitor.accept(get(seq));
    }
  }

  /** The event numbered {@code seq}, which must be below {@link #size()}. */
  public Event get(long seq) {
    AtomicReferenceArray<Event> chunk;
    Event e;
    // A slot whose append is in flight is filled within nanoseconds: wait for it, keeping order.
    while ((chunk = chunks.get((int) (seq >>> CHUNK_BITS))) == null
        || (e = chunk.get((int) (seq & (CHUNK - 1)))) == null) {
      Thread.onSpinWait();
    }
    return e;
  }

  /** The number of events appended so far. */
  public long size() {
    return next.get();
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
        long checked = System.nanoTime();
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
        long gap = MIN_RECHECK_NANOS - (System.nanoTime() - checked);
        if (gap > 0) {
          LockSupport.parkNanos(this, Math.min(gap, Math.max(0, deadline - System.nanoTime())));
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
}
