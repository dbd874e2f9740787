package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.faultbox.containers.DockerEngine;
import dev.faultbox.kernel.runtime.ContainerEngine;
import dev.faultbox.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Container mode against a real Docker engine: a system under test built from a Dockerfile (a
 * static busybox, FROM scratch) reaches its mocks by service name on the host network, sees
 * their faults and their CA, and no container outlives a run, however it ends. {@code .ci/run}
 * starts an engine and sets FAULTBOX_REQUIRE_DOCKER, so there these tests never skip.
 */
class ContainerSpecTest {
  private static DockerClient docker;

  @TempDir Path dir;
  private int auth;
  private int cache;
  private int api;

  @BeforeAll
  static void engine() {
    boolean up = new DockerEngine().unavailable().isEmpty();
    if (System.getenv("FAULTBOX_REQUIRE_DOCKER") != null) {
      assertThat(up).as("a Docker engine must answer (FAULTBOX_REQUIRE_DOCKER is set)").isTrue();
    }
    assumeTrue(up, "no Docker engine answers here");
    var config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    docker = DockerClientImpl.getInstance(config,
        new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build());
  }

  @AfterAll
  static void close() throws IOException {
    if (docker != null) {
      docker.close();
    }
  }

  @BeforeEach
  void context() throws IOException {
    Path src = Path.of("src/test/resources/containers/api");
    Path out = dir.resolve("api");
    try (Stream<Path> files = Files.walk(src)) {
      for (Path f : files.toList()) {
        Path to = out.resolve(src.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    out.resolve("www/cgi-bin/order").toFile().setExecutable(true);
    Files.createDirectories(out.resolve("rootfs/bin"));
    Files.copy(Path.of("/bin/busybox"), out.resolve("rootfs/bin/busybox"));
    auth = FreePorts.tcp();
    cache = FreePorts.tcp();
    api = FreePorts.tcp();
  }

  /** curl and every library it links, so the FROM scratch image has a client that verifies TLS. */
  private void copyCurlIn() throws Exception {
    Process ldd = new ProcessBuilder("ldd", "/usr/bin/curl").start();
    String libs = new String(ldd.getInputStream().readAllBytes());
    assertThat(ldd.waitFor()).isZero();
    Path curl = Path.of("/usr/bin/curl");
    Path to = dir.resolve("api/rootfs/usr/bin/curl");
    Files.createDirectories(to.getParent());
    Files.copy(curl, to);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(/\\S+)").matcher(libs);
    while (m.find()) {
      Path lib = Path.of(m.group(1));
      Path at = dir.resolve("api/rootfs" + lib);
      Files.createDirectories(at.getParent());
      Files.copy(lib.toRealPath(), at, StandardCopyOption.REPLACE_EXISTING); // by the name the loader asks for
    }
  }

  /** The page's composition: an api container that reaches auth and cache by their names. */
  private String spec(String name, String apiExtra, String tests) throws IOException {
    String source = """
        auth = mock_service("auth", interface("http", "http", %d),
            routes = {"GET /token": json_response(status = 200, body = {"t": "abc"})})
        cache = mock_service("cache", interface("main", "tcp", %d), routes = {"PING\\n": bytes_response(data = "PONG\\n")})
        api = service("api", interface("public", "http", %d),
            build = "./api",
            depends_on = [auth, cache],
            env = {"AUTH_URL": "http://auth:%d/token", "CACHE_ADDR": "cache:%d", "PORT": "%d"},%s
        )
        down = fault_assumption("down", target = auth.http, rules = [error(path = "/token", status = 503)])
        """.formatted(auth, cache, api, auth, cache, api, apiExtra) + tests;
    Path p = dir.resolve(name);
    Files.writeString(p, source);
    return p.toString();
  }

  private static List<Container> ours() {
    return docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(ContainerEngine.LABEL_RUN)).exec();
  }

  @Test
  void aContainerReachesItsMocksByNameSeesTheirFaultsAndIsRemovedAfterEachTest() throws Exception {
    String file = spec("compose.star", "", """
        def test_order():
            r = api.public.get(path = "/cgi-bin/order")
            assert_eq(r.status, 200)
            assert_eq(r.json["auth"]["t"], "abc")
            assert_eq(events().where(service = "auth", path = "/token").count(), 2)  # at start and for the order
            assert_eq(events().where(service = "cache", op = "recv").count(), 1)
            assert_eq(events().where(service = "api", kind = "container", type = "stdout", line = "token: *abc*").count(), 1)
            assert_eq(events().where(service = "api", type = "stdout", line = "cache: PONG").count(), 1)

        def test_outage():
            r = fault(down, run = lambda: api.public.get(path = "/cgi-bin/order"))
            assert_eq(r.status, 502, "the container saw the fault")
            assert_eq(events().where(service = "auth", status = 503).count(), 1)

        def test_wrong():
            assert_eq(api.public.get(path = "/cgi-bin/order").status, 201)

        def test_hangs():
            sleep("30s")
        """);
    Cli r = Cli.run("test", file, "--timeout", "2s");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.out())
        .containsPattern("--- PASS: test_order \\(\\d+ms\\) ---")
        .containsPattern("--- PASS: test_outage \\(\\d+ms\\) ---")
        .contains("  reason: assert_eq failed: got 200, want 201")
        .contains("  reason: timed out after 2s (interrupted)")
        .endsWith("\n2 passed, 2 failed\n");
    assertThat(ours()).as("no container outlives the run").isEmpty();
  }

  /**
   * With {@code --port-offset} the container's env names the mocks by service and declared port,
   * as written, and reaches them where they moved: {@code auth:<declared>} becomes
   * {@code auth:<declared + N>}, since service names resolve inside the container.
   */
  @Test
  void aPortOffsetMovesWhatTheContainerReaches() throws Exception {
    int offset = 1000;
    Path file = dir.resolve("offset.star");
    Files.writeString(file, """
        auth = mock_service("auth", interface("http", "http", %1$d),
            routes = {"GET /token": json_response(status = 200, body = {"t": "abc"})})
        cache = mock_service("cache", interface("main", "tcp", %2$d), routes = {"PING\\n": bytes_response(data = "PONG\\n")})
        api = service("api", interface("public", "http", %3$d),
            build = "./api",
            depends_on = [auth, cache],
            env = {"AUTH_URL": "http://auth:%1$d/token", "CACHE_ADDR": "cache:%2$d"},
        )
        def test_order():
            assert_eq(api.public.port, %4$d)
            r = api.public.get(path = "/cgi-bin/order")
            assert_eq(r.status, 200)
            assert_eq(r.json["auth"]["t"], "abc")
            assert_eq(events().where(service = "api", type = "stdout", line = "token: *abc*").count(), 1)
            assert_eq(events().where(service = "api", type = "stdout", line = "cache: PONG").count(), 1)
        """.formatted(auth - offset, cache - offset, api - offset, api));
    Cli r = Cli.run("test", file.toString(), "--port-offset", Integer.toString(offset));
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).endsWith("1 passed, 0 failed\n");
    assertThat(ours()).as("no container outlives the run").isEmpty();
  }

  /**
   * The page's "Composing mocks with real services" as written, with an image built here in place
   * of myapp:latest and free ports in place of 8090, 6379 and 8080.
   */
  @Test
  void thePagesCompositionExampleRuns() throws Exception {
    Path context = dir.resolve("myapp");
    Path src = Path.of("src/test/resources/containers/myapp");
    Files.createDirectories(context.resolve("www/cgi-bin"));
    Files.createDirectories(context.resolve("rootfs/bin"));
    Files.copy(src.resolve("Dockerfile"), context.resolve("Dockerfile"));
    Files.copy(src.resolve("www/cgi-bin/flags"), context.resolve("www/cgi-bin/flags"));
    context.resolve("www/cgi-bin/flags").toFile().setExecutable(true);
    Files.copy(Path.of("/bin/busybox"), context.resolve("rootfs/bin/busybox"));
    String image = "faultbox-test-myapp:latest";
    docker.buildImageCmd(context.toFile()).withTags(java.util.Set.of(image))
        .exec(new com.github.dockerjava.api.command.BuildImageResultCallback()).awaitImageId();
    int redis = FreePorts.tcp();
    Path file = dir.resolve("page.star");
    Files.writeString(file, """
        load("@faultbox/mocks/redis.star", "redis")

        auth  = mock_service("auth",  interface("http", "http", %1$d), routes = {
            "GET /.well-known/openid-configuration/jwks": json_response(status = 200, body = {"keys": []}),
        })
        cache = redis.server("cache", interface = interface("main", "redis", %2$d),
                                      state = {"feature:new": "true"})

        api = service("api",
            interface("public", "http", %3$d),
            image      = "%4$s",
            depends_on = [auth, cache],
            env = {
                "JWKS_URL":  "http://auth:%1$d/.well-known/openid-configuration/jwks",
                "REDIS_URL": "redis://cache:%2$d",
                "PORT": "%3$d",
            },
        )

        def test_flags():
            r = api.public.get(path = "/cgi-bin/flags")
            assert_eq(r.json, {"jwks": {"keys": []}, "feature_new": "true"})
            assert_eq(events().where(service = "auth", path = "/.well-known/openid-configuration/jwks").count(), 1)
            assert_eq(events().where(service = "cache", op = "GET").count(), 1)
        """.formatted(auth, redis, api, image));
    Cli r = Cli.run("test", file.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).containsPattern("--- PASS: test_flags \\(\\d+ms\\) ---");
    assertThat(ours()).isEmpty();
  }

  @Test
  void tlsMocksAreReachedAndTheirCaIsMountedIntoTheContainer() throws Exception {
    int secure = FreePorts.tcp();
    String file = spec("tls.star", "", """
        secure = mock_service("secure", interface("main", "http", %d), tls = True,
            routes = {"GET /hi": json_response(status = 200, body = {"ok": True})})

        def test_ca_mounted():
            print("CA_PATH=" + mock_ca_path())
            print(events().where(service = "api", line = "ca: *").first().line)
            assert_eq(events().where(service = "api", line = "secure: {\\"ok\\":true}").count(), 1)
            assert_eq(events().where(service = "api", line = "default: {\\"ok\\":true}").count(), 1)
            assert_eq(events().where(service = "api", line = "unverified: curl: (77) *").count(), 1)
            assert_eq(events().where(service = "secure", path = "/hi").count(), 2)
        """.formatted(secure));
    copyCurlIn();
    Files.writeString(Path.of(file), Files.readString(Path.of(file))
        .replace("\"PORT\":", "\"SECURE_URL\": \"https://secure:" + secure + "/hi\", \"PORT\":")
        .replace("depends_on = [auth, cache]", "depends_on = [auth, cache, \"secure\"]"));
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stdout = System.out;
    Cli r;
    System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8)); // where print() goes
    try {
      r = Cli.run("test", file);
    } finally {
      System.setOut(stdout);
    }
    assertThat(r.exit()).as(r.toString()).isZero();
    String prints = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
    java.util.regex.Matcher ca = java.util.regex.Pattern.compile("CA_PATH=(\\S+)\n").matcher(prints);
    assertThat(ca.find()).as(prints).isTrue();
    String hash = sha256(Files.readAllBytes(Path.of(ca.group(1))));
    assertThat(prints).as("the container read the run's CA at FAULTBOX_MOCK_CA")
        .containsPattern("ca: " + hash + "  - bundle: [0-9a-f]{64}  -\n");
    assertThat(ours()).isEmpty();
  }

  private static String sha256(byte[] b) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void reuseKeepsOneContainerForTheWholeRun() throws Exception {
    String file = spec("reuse.star", "\n    reuse = True,", """
        def test_a_first():
            assert_eq(events().where(service = "api", line = "api starting").count(), 1)

        def test_b_second():
            assert_eq(events().where(service = "api", line = "api starting").count(), 0, "started once, in test_a")
            assert_eq(api.public.get(path = "/cgi-bin/order").status, 200)
        """);
    Cli r = Cli.run("test", file);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(ours()).isEmpty();
  }

  @Test
  void containersThatCannotRunSayWhy() throws Exception {
    String exits = spec("exits.star", "\n    args = [],", "def test_x():\n    pass\n");
    Files.writeString(Path.of(exits), Files.readString(Path.of(exits)).replace("\"PORT\":", "\"EXIT_WITH\": \"3\", \"PORT\":"));
    Cli r = Cli.run("test", exits);
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).contains("  reason: service api exited with code 3 during start-up; its last output: ")
        .contains("stderr: giving up");

    Files.writeString(dir.resolve("api/Dockerfile"), "FROM scratch\nCOPY missing-file /x\n");
    Cli build = Cli.run("test", spec("build.star", "", "def test_x():\n    pass\n"));
    assertThat(build.exit()).as(build.toString()).isEqualTo(2);
    assertThat(build.out()).containsPattern("  reason: service api: building the image in .*/api failed: .*missing-file");

    Path img = dir.resolve("image.star");
    Files.writeString(img, "api = service(\"api\", interface(\"main\", \"http\", 1), image = \"faultbox-none:latest\")\n");
    Cli missing = Cli.run("check", img.toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("error: " + img + ":1:14: service(\"api\"): image faultbox-none:latest not found "
        + "locally; build it or use build=\n");

    Files.writeString(dir.resolve("ports.star"),
        "api = service(\"api\", interface(\"main\", \"http\", 1), image = \"x\", ports = {8080: 18080})\n");
    Cli ports = Cli.run("check", dir.resolve("ports.star").toString());
    assertThat(ports.err()).contains(":1:14: service(\"api\") ports {8080: 18080}: containers run on the host network");
    assertThat(ours()).isEmpty();
  }

  @Test
  void noEngineIsALoadErrorAtTheService() throws Exception {
    Path img = dir.resolve("noengine.star");
    Files.writeString(img, "x = 1\napi = service(\"api\", interface(\"main\", \"http\", 1), image = \"app:1\")\n");
    Process p = faultbox(Map.of("DOCKER_HOST", "unix://" + dir.resolve("no.sock")), "check", img.toString());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String err = Files.readString(dir.resolve("faultbox.err"));
    assertThat(p.exitValue()).as(err).isEqualTo(1);
    assertThat(err).isEqualTo("error: " + img + ":2:14: service(\"api\") uses image= (container mode), but no Docker "
        + "engine answers at unix://" + dir.resolve("no.sock") + " (the socket does not exist); start a Docker engine "
        + "or run the service as a local program\n");
  }

  @Test
  void ctrlCAndDeadRunsLeaveNoContainer() throws Exception {
    String file = spec("sigint.star", "", "def test_waits():\n    sleep(\"60s\")\n");
    Process p = faultbox(Map.of(), "test", file);
    String image;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      List<Container> up;
      while ((up = ours()).isEmpty()) {
        assertThat(System.nanoTime() < deadline).as("the api container starts").isTrue();
        assertThat(p.isAlive()).as("faultbox is running; it printed:\n%s", output()).isTrue();
        Thread.sleep(100);
      }
      image = up.get(0).getImage();
      new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(ours()).as("Ctrl-C removes the run's containers").isEmpty();
    } finally {
      p.destroyForcibly();
    }

    // What a run killed with SIGKILL leaves: a container whose run's process is gone. The next
    // run that declares a container removes it.
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String orphan = docker.createContainerCmd(image)
        .withLabels(Map.of(ContainerEngine.LABEL_RUN, "dead", ContainerEngine.LABEL_PID, Long.toString(gone.pid()),
            ContainerEngine.LABEL_HOST, ContainerEngine.hostId()))
        .exec().getId();
    assertThat(ours()).extracting(Container::getId).containsExactly(orphan);
    Cli check = Cli.run("check", file);
    assertThat(check.exit()).as(check.toString()).isZero();
    assertThat(ours()).as("the orphan was removed").isEmpty();
  }

  private String output() throws IOException {
    return Files.readString(dir.resolve("faultbox.out")) + Files.readString(dir.resolve("faultbox.err"));
  }

  /** `faultbox` as a process of its own, on this test's class path; its output goes to faultbox.out and faultbox.err. */
  private Process faultbox(Map<String, String> env, String... args) throws IOException {
    List<String> cmd = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve("faultbox.out").toFile())
        .redirectError(dir.resolve("faultbox.err").toFile());
    pb.environment().putAll(env);
    return pb.start();
  }
}
