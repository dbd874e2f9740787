package dev.faultbox.testkit.reliability;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Many idle TCP connections to a mock, held by a child {@code java} process so the test's own JVM
 * holds only the mock's side of each (the file limit counts both ends when they share a process).
 * The child connects, says how many it holds, waits for its standard input to end, then closes
 * them all and exits; it exits by itself after {@link #CHILD_LIMIT} whatever happens.
 */
public final class IdleConnections implements AutoCloseable {

  /** The longest a child holds its connections, should its parent never tell it to let go. */
  static final Duration CHILD_LIMIT = Duration.ofMinutes(5);

  private final Process child;
  private final int held;

  private IdleConnections(Process child, int held) {
    this.child = child;
    this.held = held;
  }

  /** Opens {@code count} connections to {@code at} from a child process; returns once they are all open. */
  public static IdleConnections open(InetSocketAddress at, int count, Duration timeout) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-cp", classPath(),
        IdleConnections.class.getName(), at.getAddress().getHostAddress(), Integer.toString(at.getPort()),
        Integer.toString(count)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line = readLine(out, timeout);
      if (line == null || !line.startsWith("held ")) {
        throw new IOException("the client process did not open its connections within " + timeout + ": " + line);
      }
      return new IdleConnections(child, Integer.parseInt(line.substring(5).trim()));
    } catch (IOException | RuntimeException e) {
      child.destroyForcibly();
      throw e;
    }
  }

  private static String readLine(BufferedReader in, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    StringBuilder line = new StringBuilder();
    while (System.nanoTime() < deadline) {
      if (!in.ready()) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
        continue;
      }
      int c = in.read();
      if (c < 0 || c == '\n') {
        return c < 0 && line.length() == 0 ? null : line.toString();
      }
      line.append((char) c);
    }
    return null;
  }

  /** Where this class was loaded from: all the child needs besides the JDK. */
  private static String classPath() {
    try {
      return new File(IdleConnections.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** How many connections the child holds. */
  public int held() {
    return held;
  }

  /** Tells the child to close them all and waits for it to exit (killing it if it will not). */
  @Override
  public void close() throws IOException {
    try (OutputStream in = child.getOutputStream()) {
      in.write('\n');
    } catch (IOException alreadyGone) {
      // the child exited already: nothing to tell it
    }
    try {
      if (!child.waitFor(30, TimeUnit.SECONDS)) {
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      child.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      child.getInputStream().close();
      child.getErrorStream().close();
    }
  }

  /** The open file descriptors of this process ({@code /proc/self/fd}), sockets included. */
  public static int openFiles() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return (int) fds.count() - 1; // the listing's own descriptor
    }
  }

  /**
   * The established TCP connections of this process whose local port is {@code port}: the server
   * side of a mock's connections, counted exactly (from {@code /proc/net/tcp*} and the process's
   * descriptors), whatever else the JVM opens or closes meanwhile.
   */
  public static int establishedOn(int port) throws IOException {
    Set<String> sockets = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (!Files.exists(file)) {
        continue;
      }
      for (String line : Files.readAllLines(file)) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st ... inode (field 9); 01 is ESTABLISHED
        if (f.length > 9 && f[1].contains(":") && f[3].equals("01")
            && Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16) == port) {
          sockets.add("socket:[" + f[9] + "]");
        }
      }
    }
    int held = 0;
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          if (sockets.contains(Files.readSymbolicLink(fd).toString())) {
            held++;
          }
        } catch (IOException closedMeanwhile) {
          // a descriptor closed while listed
        }
      }
    }
    return held;
  }

  /** The child: {@code host port count}. */
  public static void main(String[] args) throws Exception {
    Thread limit = new Thread(() -> {
      try {
        Thread.sleep(CHILD_LIMIT.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      System.exit(3);
    });
    limit.setDaemon(true);
    limit.start();
    InetSocketAddress at = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
    int count = Integer.parseInt(args[2]);
    List<SocketChannel> held = new ArrayList<>(count);
    try {
      for (int i = 0; i < count; i++) {
        SocketChannel c = SocketChannel.open();
        held.add(c);
        c.connect(at);
      }
      System.out.println("held " + held.size());
      System.out.flush();
      System.in.read(); // a line or the end of input: let go
    } finally {
      for (SocketChannel c : held) {
        c.close();
      }
    }
  }
}
