package dev.faultbox.testkit.reliability;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a run must leave behind as it found it: no thread named {@code faultbox-*}, no child
 * process, no port still bound, no file in the temp directory but the mock CA bundle. Take a
 * {@link #snapshot()} before the run and {@link #assertNoneSince} after everything was closed.
 */
public final class Leaks {

  /** The test kit's own shared timer (a stand-in for the kernel's), alive for the whole JVM. */
  private static final String TESTKIT_TIMER = "faultbox-test-timer";
  /** What a TLS run may leave: the mock CA bundle, kept for the run's clients (README, TLS). */
  private static final String CA_BUNDLE = "faultbox-ca-.*\\.pem";

  private final Set<String> threads;
  private final Set<Long> children;
  private final Set<String> tempFiles;

  private Leaks(Set<String> threads, Set<Long> children, Set<String> tempFiles) {
    this.threads = threads;
    this.children = children;
    this.tempFiles = tempFiles;
  }

  /** What is there now. */
  public static Leaks snapshot() {
    return new Leaks(faultboxThreads(), childProcesses(), tempFiles());
  }

  /**
   * Fails unless, within a few seconds (threads take a moment to end after a shutdown), nothing
   * is there that was not in {@code before}, and every address in {@code tcp} and {@code udp}
   * can be bound again.
   */
  public static void assertNoneSince(Leaks before, List<InetSocketAddress> tcp, List<InetSocketAddress> udp) {
    List<String> problems = new ArrayList<>();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (true) {
      problems.clear();
      Set<String> threads = faultboxThreads();
      threads.removeAll(before.threads);
      if (!threads.isEmpty()) {
        problems.add("threads still alive: " + threads);
      }
      Set<Long> children = childProcesses();
      children.removeAll(before.children);
      if (!children.isEmpty()) {
        problems.add("child processes still running: " + children);
      }
      Set<String> files = tempFiles();
      files.removeAll(before.tempFiles);
      files.removeIf(name -> name.matches(CA_BUNDLE));
      if (!files.isEmpty()) {
        problems.add("new files in " + tempDir() + ": " + files);
      }
      for (InetSocketAddress at : tcp) {
        try (ServerSocket again = new ServerSocket()) {
          again.bind(at);
        } catch (IOException e) {
          problems.add("TCP " + at + " is still bound: " + e.getMessage());
        }
      }
      for (InetSocketAddress at : udp) {
        try (DatagramSocket again = new DatagramSocket(at)) {
          again.getLocalPort();
        } catch (IOException e) {
          problems.add("UDP " + at + " is still bound: " + e.getMessage());
        }
      }
      if (problems.isEmpty()) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("left behind after the run: " + String.join("; ", problems));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Live threads named {@code faultbox-*} (but the test kit's shared timer), with their ids. */
  public static Set<String> faultboxThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("faultbox-") && !t.getName().equals(TESTKIT_TIMER))
        .map(t -> t.getName() + "#" + t.getId())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<Long> childProcesses() {
    return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static File tempDir() {
    return new File(System.getProperty("java.io.tmpdir"));
  }

  private static Set<String> tempFiles() {
    String[] names = tempDir().list();
    return names == null ? new TreeSet<>() : new TreeSet<>(List.of(names));
  }
}
