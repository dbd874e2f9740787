package dev.faultbox.kernel.runtime;

import dev.faultbox.kernel.event.Recorder;
import dev.faultbox.kernel.spec.ProcessSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service program: started with its environment, watched line by line (each line of stdout and
 * stderr is an event), waited for until healthy, and stopped with its whole process tree.
 */
final class RunningProcess implements AutoCloseable {
  /** How long a program has between SIGTERM and SIGKILL. */
  static final Duration GRACE = Duration.ofSeconds(3);
  private static final int TAIL = 20;

  private final String name;
  private final Process process;
  private final Deque<String> tail = new ArrayDeque<>(); // guarded by itself
  private final List<Thread> readers = new ArrayList<>();

  private RunningProcess(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  long pid() {
    return process.pid();
  }

  static RunningProcess start(String name, ProcessSpec spec, Map<String, String> env, Recorder events)
      throws ProcessFailure {
    if (!Files.exists(spec.binary())) {
      throw new ProcessFailure("service " + name + ": " + spec.binary() + " does not exist");
    }
    if (!Files.isRegularFile(spec.binary()) || !Files.isExecutable(spec.binary())) {
      throw new ProcessFailure("service " + name + ": " + spec.binary() + " is not an executable file (chmod +x it?)");
    }
    if (!Files.isDirectory(spec.cwd())) {
      throw new ProcessFailure("service " + name + ": cwd " + spec.cwd() + " is not a directory");
    }
    List<String> command = new ArrayList<>();
    command.add(spec.binary().toString());
    command.addAll(spec.args());
    ProcessBuilder pb = new ProcessBuilder(command).directory(spec.cwd().toFile());
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new ProcessFailure("service " + name + ": cannot start " + spec.binary() + ": " + e.getMessage());
    }
    RunningProcess running = new RunningProcess(name, p);
    running.watch(p.getInputStream(), "stdout", events);
    running.watch(p.getErrorStream(), "stderr", events);
    return running;
  }

  private void watch(InputStream in, String stream, Recorder events) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (tail) {
            if (tail.size() == TAIL) {
              tail.removeFirst();
            }
            tail.addLast(stream + ": " + line);
          }
          try {
            events.record(name, "", "process", stream, stream, Map.of("line", line));
          } catch (RuntimeException e) {
            // a full log must not stop the reading, or the program would block on its pipe
          }
        }
      } catch (IOException ignored) {
        // the process closed its side
      }
    }, "faultbox-" + name + "-" + stream);
    t.setDaemon(true);
    t.start();
    readers.add(t);
  }

  /** Waits until the check passes; fails at its timeout, or at once if the program exits. */
  void awaitHealthy(ProcessSpec.Healthcheck check) throws ProcessFailure, InterruptedException {
    long deadline = System.nanoTime() + check.timeout().toNanos();
    while (true) {
      if (!process.isAlive()) {
        drainOutput();
        throw new ProcessFailure("service " + name + " exited with code " + process.exitValue()
            + " during start-up" + outputSuffix());
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

  private void drainOutput() throws InterruptedException {
    for (Thread t : readers) {
      t.join(1000);
    }
  }

  private String outputSuffix() {
    List<String> lines = lastOutput();
    return lines.isEmpty() ? "; it printed nothing" : "; its last output: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
  }

  /** The last lines the program printed, oldest first. */
  List<String> lastOutput() {
    synchronized (tail) {
      return List.copyOf(tail);
    }
  }

  String name() {
    return name;
  }

  /** SIGTERM to the program and every process under it, SIGKILL to what is left after {@link #GRACE}. */
  @Override
  public void close() {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    process.destroy();
    tree.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
      tree.addAll(process.descendants().toList());
      for (ProcessHandle child : tree) {
        if (child.isAlive()) {
          child.destroyForcibly();
        }
      }
      for (ProcessHandle child : tree) {
        child.onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
      drainOutput();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ignored) {
      // a child that will not die has been sent SIGKILL; nothing more to do
    }
  }
}
