package dev.faultbox.cli;

import dev.faultbox.kernel.event.Event;
import dev.faultbox.kernel.event.Recorder;
import dev.faultbox.spi.MockEvent;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code faultbox run}'s live log: one line per request, at most {@code limit} a second; the rest
 * are counted and summed up in one line a second. A mock's own thread formats its line into a
 * buffer (no queue, no thread to wake); {@link #flush()}, called every tenth of a second, does the
 * writing, so a slow disk or terminal never stalls a mock.
 */
final class RequestLog implements Recorder {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  private static final long SECOND = 1_000_000_000L;

  private final PrintWriter out;
  private final int limit;
  private final AtomicLong window = new AtomicLong(System.nanoTime() / SECOND);
  private final AtomicInteger shown = new AtomicInteger();
  private final LongAdder unshown = new LongAdder();
  private StringBuilder pending = new StringBuilder(); // guarded by this

  /** @param limit lines a second; 0 or less for no limit */
  RequestLog(PrintWriter out, int limit) {
    this.out = out;
    this.limit = limit;
  }

  @Override
  public void emit(MockEvent e) {
    tick();
    // Read before counting: once a busy second is over its limit, the event loops only read
    // the shared counter instead of fighting over it.
    if (limit <= 0 || (shown.get() < limit && shown.incrementAndGet() <= limit)) {
      print(line(e));
    } else {
      unshown.increment();
    }
  }

  /** Program output and the kernel's own events: {@code api stderr: line}. */
  @Override
  public void record(String service, String iface, String kind, String type, String op, Map<String, ?> fields) {
    tick();
    if (limit <= 0 || (shown.get() < limit && shown.incrementAndGet() <= limit)) {
      Object detail = fields.containsKey("line") ? fields.get("line") : new TreeMap<>(fields);
      print(service + (iface.isEmpty() ? "" : "." + iface) + " " + type + ": " + detail);
    } else {
      unshown.increment();
    }
  }

  /** Starts a new second when one has passed, first summing up what the last one did not show. */
  void tick() {
    long now = System.nanoTime() / SECOND;
    long w = window.get();
    if (now != w && window.compareAndSet(w, now)) {
      long n = unshown.sumThenReset();
      shown.set(0);
      if (n > 0) {
        print("... and " + n + " more requests in the last second");
      }
    }
  }

  /** Stamps the time under the lock, so lines from several event loops stay in time order. */
  private synchronized void print(String line) {
    pending.append(LocalTime.now().format(TIME)).append(' ').append(line).append(System.lineSeparator());
  }

  /** Writes what was logged since the last call. */
  void flush() {
    StringBuilder lines;
    synchronized (this) {
      if (pending.length() == 0) {
        return;
      }
      lines = pending;
      pending = new StringBuilder(lines.capacity());
    }
    out.print(lines);
    out.flush();
  }

  /**
   * {@code auth.http GET /health 204 3ms route=GET /health ...}: the op, then the
   * status and time when the protocol has them, then the other fields.
   */
  static String line(MockEvent e) {
    StringBuilder b = new StringBuilder()
        .append(e.service()).append('.').append(e.iface()).append(' ').append(e.op());
    Map<String, Object> rest = new TreeMap<>(e.fields());
    Object status = rest.remove("status");
    Object ms = rest.remove("duration_ms");
    if (status != null) {
      b.append(' ').append(status);
    }
    if (ms != null) {
      b.append(' ').append(ms).append("ms");
    }
    rest.remove("method");
    rest.remove("path");
    rest.forEach((k, v) -> b.append(' ').append(k).append('=').append(Event.text(v)));
    return b.toString();
  }
}
