package dev.faultbox.kernel.runtime;

import dev.faultbox.kernel.event.Recorder;
import dev.faultbox.kernel.spec.ProcessSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service program: started with its environment, watched line by line (each line of stdout and
 * stderr is an event), waited for until healthy, and stopped with its whole process tree.
 */
final class RunningProcess extends Workload {
  /** How long a program has between SIGTERM and SIGKILL. */
  static final Duration GRACE = Duration.ofSeconds(3);

  private final Process process;
  private final List<Thread> readers = new ArrayList<>();

  private RunningProcess(String name, Process process, Recorder events) {
    super(name, "process", events);
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
    RunningProcess running = new RunningProcess(name, p, events);
    running.watch(p.getInputStream(), "stdout");
    running.watch(p.getErrorStream(), "stderr");
    return running;
  }

  private void watch(InputStream in, String stream) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          line(stream, l);
        }
      } catch (IOException ignored) {
        // the process closed its side
      }
    }, "faultbox-" + name() + "-" + stream);
    t.setDaemon(true);
    t.start();
    readers.add(t);
  }

  @Override
  public String describe() {
    return "program, pid " + pid();
  }

  @Override
  protected boolean alive() {
    return process.isAlive();
  }

  @Override
  protected String exitStatus() {
    return "exited with code " + process.exitValue();
  }

  @Override
  protected void drainOutput() throws InterruptedException {
    for (Thread t : readers) {
      t.join(1000);
    }
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
