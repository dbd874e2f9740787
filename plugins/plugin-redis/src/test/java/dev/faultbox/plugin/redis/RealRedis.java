package dev.faultbox.plugin.redis;

import dev.faultbox.testkit.FreePorts;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real redis-server on a free loopback port, in a temporary directory, with persistence off:
 * the reference the differential tests compare the mock with. Its absence fails the test (CI
 * installs Debian's redis-server), so the contract cannot silently stop being checked.
 */
final class RealRedis implements AutoCloseable {

  final int port;
  private final Process process;
  private final Path dir;

  private RealRedis(int port, Process process, Path dir) {
    this.port = port;
    this.process = process;
    this.dir = dir;
  }

  /** Starts redis-server with {@code extra} arguments ({@code --requirepass pw}); fails when it is not installed. */
  static RealRedis start(String... extra) throws Exception {
    String binary = binary();
    Path dir = Files.createTempDirectory("faultbox-redis-");
    int port = FreePorts.tcp();
    List<String> command = new ArrayList<>(List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString()));
    command.addAll(List.of(extra));
    // Its log goes to a file, not the build's console.
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile()).start();
    RealRedis redis = new RealRedis(port, process, dir);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return redis;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          String log = Files.exists(dir.resolve("redis.log")) ? Files.readString(dir.resolve("redis.log")) : "";
          redis.close();
          throw new AssertionError("redis-server did not start on 127.0.0.1:" + port + ": " + log);
        }
        Thread.sleep(20);
      }
    }
  }

  private static String binary() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "redis-server");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    if (Files.isExecutable(Path.of("/usr/bin/redis-server"))) {
      return "/usr/bin/redis-server";
    }
    throw new AssertionError("redis-server is not installed: the differential tests compare the mock with a real"
        + " redis-server 7. Install Debian's redis-server (apt-get install redis-server), as CI's .ci/run does.");
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
