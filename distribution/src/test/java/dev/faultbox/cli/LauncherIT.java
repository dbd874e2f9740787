package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.testkit.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembled distribution, run through bin/faultbox as a separate process. */
class LauncherIT {
  private static final Path HOME = Path.of(System.getProperty("faultbox.home"));
  private static final Path EXAMPLES = Path.of(System.getProperty("faultbox.examples"));

  @TempDir Path dir;

  private Process start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(HOME.resolve("bin/faultbox").toString());
    cmd.addAll(List.of(args));
    // stderr apart from stdout: the console must stay quiet, and stdout's lines parse.
    return new ProcessBuilder(cmd).redirectError(dir.resolve("stderr-" + (++started) + ".txt").toFile()).start();
  }

  private int started;

  private String stderr() throws IOException {
    return Files.readString(dir.resolve("stderr-" + started + ".txt"));
  }

  /** The whole stdout of a process that ends within two minutes. Also for the other launcher tests. */
  static String runToEnd(Process p) throws Exception {
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  /**
   * An example as written, but with each interface's port (and every mention of it, as in
   * {@code "http://auth:8090"}) moved to a free one: the tests never need well-known ports.
   */
  private Path onFreePorts(String example) throws IOException {
    String text = Files.readString(EXAMPLES.resolve(example));
    Matcher ports = Pattern.compile("interface\\(\"[^\"]+\", \"[^\"]+\", (\\d+)\\)").matcher(text);
    Map<String, String> moved = new LinkedHashMap<>();
    while (ports.find()) {
      moved.putIfAbsent(ports.group(1), Integer.toString(FreePorts.tcp()));
    }
    assertThat(moved).as("ports of " + example).isNotEmpty();
    for (Map.Entry<String, String> m : moved.entrySet()) {
      text = text.replaceAll("(?<!\\d)" + m.getKey() + "(?!\\d)", m.getValue());
    }
    Path copy = dir.resolve(example);
    Files.writeString(copy, text);
    return copy;
  }

  @Test
  void theExamplesPass() throws Exception {
    for (String example : List.of("quickstart.star", "tcp-udp.star", "http.star", "grpc.star", "faults.star", "redis.star",
        "kafka.star", "mongodb.star")) {
      Process p = start("test", onFreePorts(example).toString());
      String out = runToEnd(p);
      assertThat(p.exitValue()).as(out + stderr()).isZero();
      assertThat(out).contains("--- PASS: ").containsPattern("\\d passed, 0 failed\n$").doesNotContain("FAIL");
      assertThat(stderr()).as("stderr of " + example).isEmpty();
    }
  }

  @Test
  void stdlibShowPrintsTheModule() throws Exception {
    Process p = start("stdlib", "show", "mocks/statsd.star");
    String out = runToEnd(p);
    assertThat(p.exitValue()).as(stderr()).isZero();
    assertThat(out).startsWith("\"\"\"StatsD sink").endsWith("statsd = struct(server = _server, metrics = _metrics)\n");
  }

  @Test
  void aFailingSpecExitsTwoAndABrokenOneExitsOne() throws Exception {
    Path failing = dir.resolve("failing.star");
    Files.writeString(failing, "def test_no():\n    assert_true(False, \"nope\")\n");
    Process p = start("test", failing.toString());
    String out = runToEnd(p);
    assertThat(p.exitValue()).as(out).isEqualTo(2);
    assertThat(out).contains("--- FAIL: test_no").contains("0 passed, 1 failed");

    Path broken = dir.resolve("broken.star");
    Files.writeString(broken, "if True:\n    x = 1\n");
    p = start("check", broken.toString());
    assertThat(runToEnd(p)).isEmpty();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(stderr()).startsWith("error: " + broken + ":1:1: top-level 'if'").doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void runServesUntilStoppedAndLogsEachRequest() throws Exception {
    int tcp = FreePorts.tcp();
    Path spec = dir.resolve("serve.star");
    Files.writeString(spec, """
        legacy = mock_service("legacy", interface("main", "tcp", %d),
            routes = {"PING\\n": bytes_response(data = "PONG\\n")})
        """.formatted(tcp));
    Process p = start("run", spec.toString());
    BlockingQueue<String> lines = follow(p);
    try {
      assertThat(next(lines)).isEqualTo("legacy.main tcp 127.0.0.1:" + tcp);
      assertThat(next(lines)).isEqualTo("serving 1 mock interface; press Ctrl-C to stop");
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), tcp)) {
        s.setSoTimeout(5000);
        OutputStream o = s.getOutputStream();
        o.write("PING\n".getBytes(StandardCharsets.UTF_8));
        o.flush();
        assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("PONG\n");
      }
      assertThat(next(lines)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} legacy\\.main recv .*matched=true.*");
    } finally {
      p.destroy(); // SIGTERM, as Ctrl-C would
    }
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp));
    }
  }

  @Test
  void runPrintsTheMockCaAndLogsHttpsRequestsMadeWithCurl() throws Exception {
    int port = FreePorts.tcp();
    Path spec = dir.resolve("tls.star");
    Files.writeString(spec, """
        secure = mock_service("secure", interface("https", "http", %d), tls = True,
            routes = {"GET /hello": text_response(body = "hello over TLS\\n")})
        """.formatted(port));
    Process p = start("run", spec.toString());
    BlockingQueue<String> lines = follow(p);
    try {
      assertThat(next(lines)).isEqualTo("secure.https http 127.0.0.1:" + port);
      String ca = next(lines);
      assertThat(ca).matches("mock CA: .*faultbox-ca-\\d+\\.pem \\(trust it in clients of tls=True mocks\\)");
      String caFile = ca.substring("mock CA: ".length(), ca.indexOf(" (trust"));
      assertThat(next(lines)).startsWith("serving 1 mock interface;");
      Process curl = new ProcessBuilder("curl", "-sS", "--http2", "--cacert", caFile,
          "https://localhost:" + port + "/hello").redirectErrorStream(true).start();
      String body = runToEnd(curl);
      assertThat(curl.exitValue()).as(body).isZero();
      assertThat(body).isEqualTo("hello over TLS\n");
      assertThat(next(lines)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} secure\\.https GET /hello 200 \\d+ms .*proto=HTTP/2.*");
    } finally {
      p.destroy();
    }
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(stderr()).isEmpty();
  }

  @Test
  void runOnIpv6LoopbackWritesTheAddressInBrackets() throws Exception {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
      probe.close();
    } catch (IOException e) {
      Assumptions.abort("this host has no IPv6 loopback");
    }
    int tcp = FreePorts.tcp();
    Path spec = dir.resolve("v6.star");
    Files.writeString(spec, "legacy = mock_service(\"legacy\", interface(\"main\", \"tcp\", %d))\n".formatted(tcp));
    Process p = start("run", spec.toString(), "--bind", "::1");
    BlockingQueue<String> lines = follow(p);
    try {
      assertThat(next(lines)).isEqualTo("legacy.main tcp [::1]:" + tcp);
    } finally {
      p.destroy();
    }
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
  }

  /** stdout's lines as they come, read on a thread of their own. */
  static BlockingQueue<String> follow(Process p) {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  /** The next line within 30 s. */
  static String next(BlockingQueue<String> lines) throws InterruptedException {
    String line = lines.poll(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
    assertThat(line).as("a line within 30s").isNotNull();
    return line;
  }

  @Test
  void theTarballHoldsTheLauncherTheCoreAndThePlugins() throws Exception {
    Process p = new ProcessBuilder("tar", "tzf", System.getProperty("faultbox.tarball")).redirectErrorStream(true).start();
    String listing = runToEnd(p);
    assertThat(p.exitValue()).isZero();
    String base = HOME.getFileName() + "/";
    assertThat(listing).contains(base + "bin/faultbox")
        .containsPattern(base + "lib/faultbox-kernel-[^/]+\\.jar")
        .containsPattern(base + "lib/starlark-4\\.2\\.1\\.jar")
        .containsPattern(base + "lib/guava-33\\.[^/]+\\.jar")
        .containsPattern(base + "plugins/udp-tcp/faultbox-plugin-udp-tcp-[^/]+\\.jar")
        .containsPattern(base + "plugins/udp-tcp/netty-transport-[^/]+\\.jar")
        .containsPattern(base + "plugins/http/faultbox-plugin-http-[^/]+\\.jar")
        .containsPattern(base + "plugins/grpc/faultbox-plugin-grpc-[^/]+\\.jar")
        .containsPattern(base + "plugins/grpc/grpc-netty-[^/]+\\.jar");
    // lib/ holds only the core: no protocol's libraries, one Guava, and no plugin jar.
    List<String> lib = listing.lines().filter(l -> l.startsWith(base + "lib/")).toList();
    assertThat(lib).noneMatch(l -> l.matches(".*/(netty|grpc|protobuf|gson|faultbox-plugin)-.*"));
    assertThat(lib).filteredOn(l -> l.contains("/guava-")).hasSize(1);
    // A plugin's directory holds no host types: the SPI and slf4j come from lib/.
    assertThat(listing.lines().filter(l -> l.startsWith(base + "plugins/")))
        .noneMatch(l -> l.matches(".*/(faultbox-spi|slf4j-api)-.*"));
  }

  @Test
  void pluginsListsEachPluginWithItsDirectory() throws Exception {
    Process p = start("plugins");
    String out = runToEnd(p);
    assertThat(p.exitValue()).as(stderr()).isZero();
    String plugins = HOME.resolve("plugins").toString();
    assertThat(out).startsWith("PLUGIN     VERSION          SPI  PROTOCOLS          FROM\n")
        .containsPattern("grpc +\\S+ +2 +grpc +" + java.util.regex.Pattern.quote(plugins + "/grpc/") + "\n")
        .containsPattern("http +\\S+ +2 +http,http2 +" + java.util.regex.Pattern.quote(plugins + "/http/") + "\n")
        .containsPattern("redis +\\S+ +2 +redis +" + java.util.regex.Pattern.quote(plugins + "/redis/") + "\n")
        .containsPattern("udp-tcp +\\S+ +2 +tcp,udp +" + java.util.regex.Pattern.quote(plugins + "/udp-tcp/") + "\n");
  }
}
