package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.sut.Orders;
import dev.faultbox.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page's api/auth/cache composition with a real program as the system under test (the
 * orders service), driven through its own HTTP interface, with mock events and faults.
 */
class SystemUnderTestTest {
  @TempDir Path dir;

  @Test
  void ordersServiceAgainstItsMocks() throws Exception {
    Path launcher = dir.resolve("orders.sh");
    Files.writeString(launcher, "#!/bin/sh\nexec java -cp '" + System.getProperty("java.class.path") + "' '"
        + Orders.class.getName() + "'\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    int auth = FreePorts.tcp();
    int cache = FreePorts.tcp();
    int statsd = FreePorts.udp();
    int api = FreePorts.tcp();
    Path spec = dir.resolve("orders.star");
    Files.writeString(spec, """
        auth = mock_service("auth", interface("http", "http", %1$d), routes = {
            "GET /.well-known/openid-configuration/jwks": json_response(200, mock_jwks()),
        })
        cache = mock_service("cache", interface("main", "tcp", %2$d), routes = {
            "PRICE ": bytes_response(data = "42\\n"),
        })
        statsd = mock_service("statsd", interface("main", "udp", %3$d))

        api = service("api", "./orders.sh",
            interface("public", "http", %4$d),
            depends_on = [auth, cache, statsd],
            env = {
                "JWKS_URL":    "http://auth:%1$d/.well-known/openid-configuration/jwks",
                "CACHE_ADDR":  cache.main.addr,
                "STATSD_ADDR": statsd.main.addr,
                "PORT":        str(%4$d),
            },
            healthcheck = http("localhost:%4$d/health"),
        )

        jwks_unavailable = fault_assumption("jwks_unavailable",
            target = auth.http,
            rules  = [error(path = "/.well-known/**", status = 503)],
        )

        def test_orders():
            for i in range(3):
                r = api.public.post(path = "/order", body = {"item": "book"})
                assert_eq(r.status, 201)
                assert_eq(r.json["price"], "42")
            assert_eq(api.post(path = "/order", body = {"item": "pen"}).status, 201)  # one interface: shorthand
            assert_eq(events().where(service = "auth", op = "GET /.well-known/**").count(), 1)  # JWKS fetched once
            assert_eq(events().where(service = "cache", op = "recv", body = "PRICE book").count(), 4)
            assert_eventually(events().where(service = "statsd", op = "recv", body = "orders.created*").count() == 4)
            assert_eq(events().where(service = "api", type = "stdout", line = "orders listening on *").count(), 1)

        fault_scenario("order_without_jwks",
            scenario = lambda: api.public.post(path = "/order", body = {"item": "book"}),
            faults   = jwks_unavailable,
            expect   = lambda r: assert_eq([r.status, r.json["error"]], [503, "auth unavailable"]),
        )

        def test_sut_output_in_events():
            fault(jwks_unavailable, run = lambda: api.public.post(path = "/order"))
            assert_eventually(events().where(service = "api", type = "stderr", line = "JWKS fetch failed: 503").count() == 1)
        """.formatted(auth, cache, statsd, api));
    Cli r = Cli.run("test", spec.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("--- PASS: test_orders").contains("--- PASS: test_order_without_jwks")
        .contains("--- PASS: test_sut_output_in_events").endsWith("3 passed, 0 failed\n");
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList()).isEmpty();
  }
}
