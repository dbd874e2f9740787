package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.testkit.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin built outside this reactor, examples/plugin-memcached (built by maven-invoker-plugin
 * before this runs), dropped into a copy of the distribution as a user would: it is listed next to
 * the built-in plugins, serves a spec's memcached mock to libmemcached's command-line tools (Debian's
 * libmemcached-tools) and to its own steps, takes its recipe faults, and runs on its Netty 4.1
 * while the built-in plugins run on their 4.2 in the same process.
 */
class ExternalPluginIT {
  private static final Path HOME = Path.of(System.getProperty("faultbox.home"));
  private static final Path PLUGIN = Path.of(System.getProperty("faultbox.external.plugin"));

  @TempDir static Path dist;
  @TempDir Path dir;
  private int started;

  /** The distribution with the example plugin in plugins/memcached/, as a user would install it. */
  @BeforeAll
  static void install() throws IOException {
    assertThat(PLUGIN.resolve("faultbox-plugin-memcached-1.0.0-SNAPSHOT.jar"))
        .as("the example's plugin directory, made by maven-invoker-plugin (not skipped?)").isRegularFile();
    assertThat(Stream.of(System.getenv().getOrDefault("PATH", "").split(":")))
        .as("memccat on the PATH: the real client is Debian's libmemcached-tools")
        .anyMatch(d -> Files.isExecutable(Path.of(d, "memccat")));
    copy(HOME, dist);
    copy(PLUGIN, dist.resolve("plugins/memcached"));
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        // COPY_ATTRIBUTES keeps bin/faultbox executable.
        Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES,
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private Process start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(dist.resolve("bin/faultbox").toString()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(dir.resolve("stderr-" + (++started) + ".txt").toFile()).start();
  }

  private String stderr() throws IOException {
    return Files.readString(dir.resolve("stderr-" + started + ".txt"));
  }

  /** A libmemcached tool's exit code and what it printed. */
  private record Tool(int exit, String output) {}

  private static Tool tool(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    return new Tool(p.exitValue(), out);
  }

  @Test
  void pluginsListsTheExternalPluginNextToTheBuiltInOnesEachWithItsOwnNetty() throws Exception {
    Process p = start("plugins");
    String out = LauncherIT.runToEnd(p);
    assertThat(p.exitValue()).as(stderr()).isZero();
    String plugins = Pattern.quote(dist.resolve("plugins").toString());
    assertThat(out)
        .containsPattern("memcached +1\\.0\\.0-SNAPSHOT +2 +memcached +" + plugins + "/memcached/\n")
        .containsPattern("grpc +\\S+ +2 +grpc +" + plugins + "/grpc/\n")
        .containsPattern("http +\\S+ +2 +http,http2 +" + plugins + "/http/\n")
        .containsPattern("udp-tcp +\\S+ +2 +tcp,udp +" + plugins + "/udp-tcp/\n")
        .doesNotContain("skipped:").doesNotContain("warning:");
    // Each directory carries its own Netty: the example a 4.1, the built-in plugins a 4.2.
    assertThat(dist.resolve("plugins/memcached").toFile().list())
        .anyMatch(f -> f.matches("netty-transport-4\\.1\\.\\d+\\.Final\\.jar"))
        .noneMatch(f -> f.matches("netty-.*-4\\.2\\..*") || f.startsWith("faultbox-spi") || f.startsWith("slf4j"));
    assertThat(dist.resolve("plugins/udp-tcp").toFile().list())
        .anyMatch(f -> f.matches("netty-transport-4\\.2\\.\\d+\\.Final\\.jar"));
  }

  @Test
  void libmemcachedToolsReadAndWriteTheSeededMockWhileFaultboxRunServesIt() throws Exception {
    int port = FreePorts.tcp();
    int tcp = FreePorts.tcp();
    Path spec = dir.resolve("serve.star");
    Files.writeString(spec, """
        load("@faultbox/mocks/memcached.star", "memcached")

        cache = memcached.server("cache", interface("main", "memcached", %d),
            state = {"greeting": "hello from the spec", "visits": 41})
        legacy = mock_service("legacy", interface("main", "tcp", %d),
            routes = {"PING": bytes_response(data = "PONG\\n")})
        """.formatted(port, tcp));
    Process p = start("run", spec.toString());
    BlockingQueue<String> lines = LauncherIT.follow(p);
    String servers = "--servers=127.0.0.1:" + port;
    try {
      List<String> banner = new ArrayList<>();
      for (String line = LauncherIT.next(lines); !line.startsWith("serving "); line = LauncherIT.next(lines)) {
        banner.add(line);
      }
      assertThat(banner).contains("cache.main memcached 127.0.0.1:" + port, "legacy.main tcp 127.0.0.1:" + tcp);

      // memccat prints each value and a newline; memccp stores a file under its name.
      assertThat(tool("memccat", servers, "greeting")).isEqualTo(new Tool(0, "hello from the spec\n"));
      Path file = dir.resolve("note.txt");
      Files.writeString(file, "written by memccp");
      assertThat(tool("memccp", servers, file.toString()).exit()).isZero();
      assertThat(tool("memccat", servers, "note.txt", "visits")).isEqualTo(new Tool(0, "written by memccp\n41\n"));
      assertThat(tool("memcrm", servers, "greeting").exit()).isZero();
      assertThat(tool("memcexist", servers, "greeting").exit()).isNotZero();

      // In this one process the example answers on its Netty 4.1 and udp-tcp on its 4.2.
      Tool stats = tool("memcstat", servers);
      assertThat(stats.exit()).as(stats.output()).isZero();
      assertThat(stats.output()).containsPattern("netty: 4\\.1\\.\\d+\\.Final\n");
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), tcp)) {
        s.setSoTimeout(5000);
        s.getOutputStream().write("PING\n".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("PONG\n");
      }

      List<String> log = new ArrayList<>();
      while (log.stream().noneMatch(l -> l.contains("legacy.main recv"))) {
        log.add(LauncherIT.next(lines));
      }
      assertThat(log).anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} cache\\.main get .*hit=true.*key=greeting.*"))
          .anyMatch(l -> l.matches(".* cache\\.main set .*bytes=17.*key=note\\.txt.*result=STORED.*"))
          .anyMatch(l -> l.matches(".* cache\\.main delete .*result=DELETED.*"));
    } finally {
      p.destroy();
    }
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    assertThat(stderr()).isEmpty();
  }

  @Test
  void faultboxTestRunsTheMockWithItsStepsRecipesAndABuiltInPluginBeside() throws Exception {
    Path spec = dir.resolve("cache.star");
    Files.writeString(spec, """
        load("@faultbox/mocks/memcached.star", "memcached")
        load("@faultbox/recipes/memcached.star", "memcached_faults")

        cache = memcached.server("cache", interface("main", "memcached", %d),
            state = {"greeting": "hello", "visits": 41})
        legacy = mock_service("legacy", interface("main", "tcp", %d),
            routes = {"PING": bytes_response(data = "PONG\\n")})

        sessions_down = fault_assumption("sessions_down",
            target = cache.main,
            rules = [memcached_faults.unavailable(key = "session:*", message = "cache down")],
        )

        def test_seeded_state_reads_and_writes():
            assert_eq(cache.main.get(key = "greeting").body, "hello")
            assert_eq(cache.main.set(key = "greeting", value = "bye").result, "STORED")
            assert_eq(cache.main.get(key = "greeting").body, "bye")
            assert_eq(cache.main.get(key = "visits").body, "41")
            assert_eq(memcached.commands("cache", command = "get", key = "greeting").count(), 2)
            assert_eq(events().where(service = "cache", op = "get", hit = True).count(), 3)

        def test_each_test_starts_from_the_seed():
            assert_eq(cache.main.get(key = "greeting").body, "hello")

        fault_scenario("sessions_unavailable",
            scenario = lambda: cache.main.get(key = "session:7"),
            faults = sessions_down,
            expect = lambda r: assert_eq([r.result, r.message], ["SERVER_ERROR", "cache down"]),
        )

        def test_recipes_fault_only_what_they_match():
            missed = fault(cache.main, memcached_faults.miss(key = "greet*"), run = lambda: cache.main.get(key = "greeting"))
            assert_eq(missed.result, "MISS")
            assert_eq(cache.main.get(key = "greeting").result, "HIT")
            slow = fault(cache.main, memcached_faults.slow(duration = "300ms"), run = lambda: cache.main.get(key = "visits"))
            assert_true(slow.duration_ms >= 300, "held %%dms" %% slow.duration_ms)
            dropped = fault(cache.main, memcached_faults.connection_drop(command = "set"),
                run = lambda: cache.main.set(key = "k", value = "v"))
            assert_eq(dropped.ok, False)
            assert_eq(events().where(service = "cache", fault = "fault on cache.main").count(), 3)

        def test_both_netties_serve_in_one_run():
            assert_eq(legacy.main.send(data = "PING"), "PONG")
            assert_true(cache.main.stats()["netty"].startswith("4.1."), cache.main.stats()["netty"])
        """.formatted(FreePorts.tcp(), FreePorts.tcp()));
    Process p = start("test", spec.toString());
    String out = LauncherIT.runToEnd(p);
    assertThat(p.exitValue()).as(out + stderr()).isZero();
    assertThat(out).contains("--- PASS: test_sessions_unavailable").contains("--- PASS: test_both_netties_serve_in_one_run")
        .endsWith("5 passed, 0 failed\n");
    assertThat(stderr()).isEmpty();
  }

  @Test
  void aRealClientMeetsARecipeFaultLaidByFaultboxTest() throws Exception {
    int port = FreePorts.tcp();
    Path spec = dir.resolve("client.star");
    // The test waits, fault laid, until a client's set was refused: memccp, run by this class.
    Files.writeString(spec, """
        load("@faultbox/mocks/memcached.star", "memcached")
        load("@faultbox/recipes/memcached.star", "memcached_faults")

        cache = memcached.server("cache", interface("main", "memcached", %d))

        def refused_set():
            return events().where(service = "cache", op = "set", result = "SERVER_ERROR*").count() >= 1

        def test_memccp_is_refused():
            fault(cache.main, memcached_faults.unavailable(command = "set", message = "cache is read-only"),
                run = lambda: assert_eventually(refused_set, timeout = "60s"))
        """.formatted(port));
    Path file = dir.resolve("note.txt");
    Files.writeString(file, "written by memccp");
    Process p = start("test", spec.toString());
    Tool seen = null;
    // Until the mock is up and the fault laid, memccp cannot connect or is served: try again.
    while (p.isAlive() && seen == null) {
      Tool t = tool("memccp", "--servers=127.0.0.1:" + port, file.toString());
      if (t.output().contains("SERVER ERROR")) {
        seen = t;
      } else {
        Thread.sleep(100);
      }
    }
    String out = LauncherIT.runToEnd(p);
    assertThat(seen).as("memccp met the fault; faultbox printed " + out + stderr()).isNotNull();
    assertThat(seen.exit()).isNotZero();
    assertThat(seen.output()).contains("SERVER ERROR, cache is read-only");
    assertThat(p.exitValue()).as(out + stderr()).isZero();
    assertThat(out).contains("--- PASS: test_memccp_is_refused").endsWith("1 passed, 0 failed\n");
  }
}
