package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.sut.Relay;
import dev.faultbox.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --port-offset N}: every declared port moves by N, and everything that names one follows:
 * a mock's listener, {@code .port} and {@code .addr}, a program's FAULTBOX_* variables and
 * {@code <service>:<port>} in its env, and health checks.
 */
class PortOffsetTest {
  @TempDir Path dir;

  private Path relay() throws IOException {
    Path launcher = dir.resolve("relay.sh");
    Files.writeString(launcher, "#!/bin/sh\nexec java -cp '" + System.getProperty("java.class.path") + "' '"
        + Relay.class.getName() + "'\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    return launcher;
  }

  /** The spec declares ports {@code offset} away from free ones, so only the moved ports can work. */
  private String spec(int auth, int api, int offset, String healthcheck) throws IOException {
    relay();
    Path spec = dir.resolve("offset.star");
    Files.writeString(spec, """
        auth = mock_service("auth", interface("main", "http", %1$d), routes = {"GET /token": text_response(body = "token-ok")})
        api = service("api", "./relay.sh",
            interface("public", "http", %2$d),
            depends_on = [auth],
            env = {"AUTH_URL": "http://auth:%1$d/token", "NOT_A_SERVICE": "myauth:%1$d"},
            healthcheck = %3$s,
        )

        def test_addresses_moved():
            assert_eq(auth.main.port, %4$d)
            assert_eq(auth.main.addr, "localhost:%4$d")
            assert_eq(api.public.port, %5$d)
            assert_eq(api.public.addr, "localhost:%5$d")

        def test_the_program_reaches_the_moved_mock():
            r = api.public.get(path = "/relay")
            assert_eq([r.status, r.body], [200, "token-ok"])
            assert_eq(events().where(service = "auth", op = "GET /token").count(), 1)
            assert_eq(api.public.get(path = "/env/AUTH_URL").body, "http://localhost:%4$d/token")
            assert_eq(api.public.get(path = "/env/NOT_A_SERVICE").body, "myauth:%1$d")
            assert_eq(api.public.get(path = "/env/FAULTBOX_AUTH_MAIN_PORT").body, "%4$d")
            assert_eq(api.public.get(path = "/env/FAULTBOX_AUTH_MAIN_ADDR").body, "localhost:%4$d")
        """.formatted(auth - offset, api - offset, healthcheck.formatted(api - offset), auth, api));
    return spec.toString();
  }

  @Test
  void mocksProgramsEnvAndHealthChecksMoveByAPositiveOffset() throws Exception {
    int auth = FreePorts.tcp();
    int api = FreePorts.tcp();
    String file = spec(auth, api, 1000, "http(\"localhost:%d/health\")");
    Cli r = Cli.run("test", file, "--port-offset", "1000");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("--- PASS: test_addresses_moved").contains("--- PASS: test_the_program_reaches_the_moved_mock")
        .endsWith("2 passed, 0 failed\n");
  }

  @Test
  void aNegativeOffsetWorksAsLongAsPortsStayValidAndTcpChecksMoveToo() throws Exception {
    int auth = FreePorts.tcp();
    int api = FreePorts.tcp();
    String file = spec(auth, api, -1000, "tcp(\"localhost:%d\")");
    Cli r = Cli.run("test", file, "--port-offset=-1000");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).endsWith("2 passed, 0 failed\n");
  }

  @Test
  void aReplayLineRepeatsTheOffset() throws Exception {
    int port = FreePorts.tcp();
    Path spec = dir.resolve("fail.star");
    Files.writeString(spec, "a = mock_service(\"a\", interface(\"main\", \"tcp\", " + (port - 5) + "))\n"
        + "def test_port():\n    assert_eq(a.main.port, 0)\n");
    Cli r = Cli.run("test", spec.toString(), "--port-offset", "5", "--seed", "9");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).contains("  reason: assert_eq failed: got " + port + ", want 0\n")
        .contains("  replay: faultbox test " + spec + " --seed 9 --port-offset 5 --test test_port\n");
  }

  @Test
  void aPortMovedOutOfRangeIsALoadErrorNamingTheInterface() throws Exception {
    Path spec = dir.resolve("range.star");
    Files.writeString(spec, "a = mock_service(\"a\", interface(\"main\", \"tcp\", 9000), interface(\"high\", \"tcp\", 65000))\n"
        + "def test_x():\n    pass\n");
    for (String command : new String[] {"test", "check"}) {
      Cli r = Cli.run(command, spec.toString(), "--port-offset", "1000");
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.err()).isEqualTo("error: " + spec + ":1:64: interface(\"high\") port 65000 with --port-offset 1000 is 66000, "
          + "outside 1..65535; pick a smaller offset\n");
    }
    Cli low = Cli.run("check", spec.toString(), "--port-offset", "-9000");
    assertThat(low.exit()).as(low.toString()).isEqualTo(1);
    assertThat(low.err()).startsWith("error: " + spec + ":1:32: interface(\"main\") port 9000 with --port-offset -9000 is 0, outside 1..65535");

    Cli ok = Cli.run("check", spec.toString(), "--port-offset", "-8999");
    assertThat(ok.exit()).as(ok.toString()).isZero();

    Cli huge = Cli.run("check", spec.toString(), "--port-offset", "70000");
    assertThat(huge.exit()).isEqualTo(1);
    assertThat(huge.err()).isEqualTo("error: --port-offset 70000: must be between -65534 and 65534\n");
    Cli word = Cli.run("test", spec.toString(), "--port-offset", "ten");
    assertThat(word.exit()).isEqualTo(1);
    assertThat(word.err()).startsWith("error: Invalid value for option '--port-offset': 'ten' is not an int");
  }

  @Test
  void runAndTestBothTakeTheOption() {
    assertThat(Cli.run("run", "--help").out()).contains("--port-offset=N");
    assertThat(Cli.run("test", "--help").out()).contains("--port-offset=N");
  }
}
