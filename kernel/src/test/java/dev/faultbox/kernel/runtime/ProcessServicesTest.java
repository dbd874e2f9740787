package dev.faultbox.kernel.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.kernel.Specs;
import dev.faultbox.kernel.runner.TestResult;
import dev.faultbox.kernel.runner.TestRunner;
import dev.faultbox.kernel.spec.SpecSession;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Service programs: started after their dependencies with the spec's environment, watched, and
 * stopped with their whole process tree. Uses small shell scripts as the programs.
 */
class ProcessServicesTest {
  @TempDir Path dir;
  Specs specs;

  @BeforeEach
  void setUp() {
    specs = new Specs(dir);
  }

  private Path script(String name, String body) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  private Map<String, TestResult> run(String source) throws Exception {
    try (SpecSession s = specs.load(source)) {
      TestRunner runner = new TestRunner(s);
      return runner.run(runner.select(null), r -> {}).stream().collect(Collectors.toMap(TestResult::name, r -> r));
    }
  }

  @Test
  void aProgramSeesItsEnvironmentAndItsOutputBecomesEvents() throws Exception {
    int mockPort = Specs.freePort();
    script("env.sh", "echo \"jwks=$JWKS_URL\"\necho \"addr=$FAULTBOX_AUTH_MAIN_ADDR port=$FAULTBOX_AUTH_MAIN_PORT\"\n"
        + "echo \"plain=$PLAIN\"\necho \"other=$OTHER\"\necho oops >&2\nwhile true; do sleep 0.2; done");
    var r = run("""
        auth = mock_service("auth", interface("main", "fake", %d))
        api = service("api", "./env.sh", env = {
            "JWKS_URL": "http://auth:%d/.well-known/jwks",
            "PLAIN": auth.main.internal_addr,
            "OTHER": "myauth:%d,auth:%d0",
        }, depends_on = [auth])
        def test_env():
            lines = events().where(service = "api", type = "stdout")
            assert_eventually(lines.count() == 4)
            assert_eq([e.line for e in lines], [
                "jwks=http://localhost:%d/.well-known/jwks",
                "addr=localhost:%d port=%d",
                "plain=localhost:%d",
                "other=myauth:%d,auth:%d0",
            ])
            assert_eventually(events().where(service = "api", type = "stderr", line = "oops").count() == 1)
        """.formatted(mockPort, mockPort, mockPort, mockPort, mockPort, mockPort, mockPort, mockPort, mockPort, mockPort));
    assertThat(r.get("test_env").passed()).as(r.get("test_env").reason()).isTrue();
    assertNoChildren();
  }

  @Test
  void withTlsMocksAProgramIsToldTheMockCa() throws Exception {
    int port = Specs.freePort();
    script("tls.sh", "echo \"ca=$FAULTBOX_MOCK_CA\"\necho \"bundle=$SSL_CERT_FILE\"\nwhile true; do sleep 0.2; done");
    var r = run("""
        secure = mock_service("secure", interface("main", "fake", %d), tls = True)
        api = service("api", "./tls.sh")
        def test_tls_env():
            assert_eventually(events().where(service = "api", line = "bundle=*").count() == 1)
            assert_eq(events().where(service = "api", line = "ca=*").first().line, "ca=" + mock_ca_path())
            print(events().where(service = "api", line = "bundle=*").first().line + " " + mock_ca_path())
        """.formatted(port));
    assertThat(r.get("test_tls_env").passed()).as(r.get("test_tls_env").reason()).isTrue();
    String printed = specs.printed.toString(java.nio.charset.StandardCharsets.UTF_8);
    String[] paths = printed.substring(printed.indexOf("bundle=") + 7).strip().split(" ");
    String bundle = Files.readString(Path.of(paths[0]));
    String ca = Files.readString(Path.of(paths[1])).strip();
    assertThat(ca).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(bundle.strip()).endsWith(ca); // the system's roots, then the mock CA
    assertNoChildren();
  }

  @Test
  void startUpFailuresFailTheTestAndTheNextStartsClean() throws Exception {
    script("crash.sh", "echo starting\necho 'config missing' >&2\nexit 3");
    Path noexec = dir.resolve("noexec.sh");
    Files.writeString(noexec, "#!/bin/sh\n");
    int port = Specs.freePort();
    script("sleepy.sh", "while true; do sleep 0.2; done");
    var crash = run("api = service(\"api\", \"./crash.sh\")\ndef test_a():\n    pass\n" + "def test_b():\n    pass\n");
    assertThat(crash.get("test_a").passed()).isTrue(); // no interface: no health check, started is ready
    var crashHealthy = run("api = service(\"api\", \"./crash.sh\", healthcheck = tcp(\"localhost:" + port + "\"))\n"
        + "def test_a():\n    pass\ndef test_b():\n    pass\n");
    for (String t : List.of("test_a", "test_b")) {
      // stdout and stderr are read apart, so their lines may interleave either way.
      assertThat(crashHealthy.get(t).reason())
          .startsWith("service api exited with code 3 during start-up; its last output: ")
          .contains("stdout: starting").contains("stderr: config missing");
      assertThat(crashHealthy.get(t).output()).containsExactlyInAnyOrder("api stdout: starting", "api stderr: config missing");
    }
    var missing = run("api = service(\"api\", \"./nope.sh\", interface(\"main\", \"fake\", " + port + "))\ndef test_a():\n    pass\n");
    assertThat(missing.get("test_a").reason()).isEqualTo("service api: " + dir.resolve("nope.sh") + " does not exist");
    var notExecutable = run("api = service(\"api\", binary = \"./noexec.sh\")\ndef test_a():\n    pass\n");
    assertThat(notExecutable.get("test_a").reason()).endsWith("noexec.sh is not an executable file (chmod +x it?)");
    try (ServerSocket squatter = new ServerSocket()) {
      squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      var taken = run("api = service(\"api\", \"./sleepy.sh\", interface(\"main\", \"fake\", " + port + "))\ndef test_a():\n    pass\n");
      assertThat(taken.get("test_a").reason())
          .isEqualTo("service api: port " + port + " of interface main is already in use before the program starts; stop what holds it");
    }
    var unhealthy = run("api = service(\"api\", \"./sleepy.sh\", interface(\"main\", \"fake\", " + port + "),"
        + " healthcheck = tcp(\"localhost:" + port + "\", timeout = \"400ms\"))\ndef test_a():\n    pass\n");
    assertThat(unhealthy.get("test_a").reason())
        .isEqualTo("service api not healthy after 400ms: tcp(\"localhost:" + port + "\") never passed; it printed nothing");
    assertNoChildren();
  }

  @Test
  void aProgramThatIgnoresSigtermIsKilledWithItsChildren() throws Exception {
    Path pidFile = dir.resolve("child.pid");
    script("stubborn.sh", "trap '' TERM\necho up\n(trap '' TERM; while true; do sleep 0.2; done) &\necho $! > " + pidFile
        + "\nwhile true; do sleep 0.2; done");
    long start = System.nanoTime();
    var r = run("api = service(\"api\", \"./stubborn.sh\")\ndef test_a():\n    assert_eventually(events().where(service = \"api\", line = \"up\").count() == 1)\n");
    assertThat(r.get("test_a").passed()).as(r.get("test_a").reason()).isTrue();
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(RunningProcess.GRACE.toMillis());
    long child = Long.parseLong(Files.readString(pidFile).strip());
    // A child outlives its parent's pid list once orphaned: check it by its own pid.
    assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).as("the background child").isFalse();
    assertNoChildren();
  }

  @Test
  void isReadyWhenItsFirstInterfaceAcceptsAndReleasesItsPortAfter() throws Exception {
    int port = Specs.freePort();
    script("listen.sh", "exec java -cp '" + System.getProperty("java.class.path") + "' '"
        + Listener.class.getName() + "' " + port);
    var r = run("""
        api = service("api", "./listen.sh", interface("public", "fake", %d))
        def test_ready():
            assert_eq(api.public.port, %d)
            assert_eq(api.public.addr, "localhost:%d")
        """.formatted(port, port, port));
    assertThat(r.get("test_ready").passed()).as(r.get("test_ready").reason()).isTrue();
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)); // released
    }
    assertNoChildren();
  }

  @Test
  void containerModeWithoutAnEngineModuleSaysSoAtTheService() {
    // The kernel alone has no ContainerEngine: the distribution adds the containers module.
    assertThat(specs.error("api = service(\"api\", interface(\"public\", \"fake\", 8080), image = \"myapp:latest\")\n"))
        .isEqualTo("spec.star:1:14: service(\"api\") uses image= (container mode), but this Faultbox has no container "
            + "engine module (faultbox-containers) on its class path; start a Docker engine or run the service as a local program");
    assertThat(specs.error("api = service(\"api\", interface(\"public\", \"fake\", 8080))\n"))
        .isEqualTo("spec.star:1:14: service(\"api\") needs something to run: service(\"api\", \"./bin/app\", interface(...)), "
            + "image= or build=");
    assertThat(specs.error("api = service(\"api\", \"./app\", interface(\"public\", \"fake\", 8080), image = \"x\")\n"))
        .isEqualTo("spec.star:1:14: service(\"api\") takes one of a program, image= and build=, got 2");
    assertThat(specs.error("api = service(\"api\", \"./app\", interface(\"public\", \"fake\", 8080), reuse = True)\n"))
        .isEqualTo("spec.star:1:14: service(\"api\") runs a local program: volumes=, ports= and reuse= are for containers "
            + "(image= or build=)");
  }

  private static void assertNoChildren() {
    List<ProcessHandle> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
    assertThat(left).as("processes left behind: %s", left.stream().map(p -> p.info().commandLine().orElse("?")).toList())
        .isEmpty();
  }

  /** A program that listens on the port given, until killed. */
  public static final class Listener {
    public static void main(String[] args) throws Exception {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])));
        System.out.println("listening");
        while (true) {
          s.accept().close();
        }
      }
    }
  }
}
