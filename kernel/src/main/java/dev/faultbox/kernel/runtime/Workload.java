package dev.faultbox.kernel.runtime;

import dev.faultbox.kernel.event.Recorder;
import dev.faultbox.kernel.spec.ProcessSpec;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * A running system under test, a local program or a container: each line it prints is an event
 * ({@code type} {@code stdout} or {@code stderr}, field {@code line}), the last lines are kept
 * for a failure's report, and start-up waits for its health check.
 */
public abstract class Workload implements AutoCloseable {
  private static final int TAIL = 20;

  private final String name;
  private final String kind;
  private final Recorder events;
  private final Deque<String> tail = new ArrayDeque<>(); // guarded by itself

  /** @param kind the events' kind: {@code process} or {@code container} */
  protected Workload(String name, String kind, Recorder events) {
    this.name = name;
    this.kind = kind;
    this.events = events;
  }

  public String name() {
    return name;
  }

  /** Records a line the workload printed on {@code stream} ({@code stdout} or {@code stderr}). */
  protected final void line(String stream, String line) {
    synchronized (tail) {
      if (tail.size() == TAIL) {
        tail.removeFirst();
      }
      tail.addLast(stream + ": " + line);
    }
    try {
      events.record(name, "", kind, stream, stream, Map.of("line", line));
    } catch (RuntimeException e) {
      // a full log must not stop the reading, or the workload would block on its output
    }
  }

  /** What it is, for listings: {@code program, pid 4242} or {@code container faultbox-api-1f2e (image app:1)}. */
  public abstract String describe();

  /** Whether it is still running. */
  protected abstract boolean alive();

  /** How it ended, once not alive: {@code exited with code 3}. */
  protected abstract String exitStatus();

  /** Waits briefly for the output still in flight, so the report has the last lines. */
  protected abstract void drainOutput() throws InterruptedException;

  /** Waits until the check passes; fails at its timeout, or at once if the workload ends. */
  public void awaitHealthy(ProcessSpec.Healthcheck check) throws ProcessFailure, InterruptedException {
    long deadline = System.nanoTime() + check.timeout().toNanos();
    while (true) {
      if (!alive()) {
        drainOutput();
        throw new ProcessFailure("service " + name + " " + exitStatus() + " during start-up" + outputSuffix());
      }
      if (healthy(check)) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new ProcessFailure("service " + name + " not healthy after " + check.timeout().toMillis() + "ms: "
            + check + " never passed" + outputSuffix());
      }
      Thread.sleep(50);
    }
  }

  private static boolean healthy(ProcessSpec.Healthcheck check) {
    if (!check.http()) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(check.host(), check.port()), 500);
        return true;
      } catch (IOException e) {
        return false;
      }
    }
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://" + check.host() + ":" + check.port() + check.path())
          .toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(1000);
      int status = c.getResponseCode();
      c.disconnect();
      return status >= 200 && status < 400;
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code ; its last output: stderr: boom | ...} for a failure message. */
  protected final String outputSuffix() {
    List<String> lines = lastOutput();
    return lines.isEmpty() ? "; it printed nothing"
        : "; its last output: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
  }

  /** The last lines it printed, oldest first. */
  public List<String> lastOutput() {
    synchronized (tail) {
      return List.copyOf(tail);
    }
  }

  /** Stops it and everything it started; idempotent. */
  @Override
  public abstract void close();
}
