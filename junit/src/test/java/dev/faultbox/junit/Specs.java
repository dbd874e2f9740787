package dev.faultbox.junit;

import dev.faultbox.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The specs the fixtures name in their annotations, written with free ports before each run
 * (an annotation's path is a constant; its ports must not be).
 */
final class Specs {
  static final String DIR = "target/test-specs";
  static int auth;
  static int cache;

  private Specs() {}

  static void write() throws IOException {
    auth = FreePorts.tcp();
    cache = FreePorts.tcp();
    Path dir = Path.of(DIR);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("deps.star"), """
        auth = mock_service("auth", interface("http", "http", %d),
            routes = {"GET /jwks": json_response(status = 200, body = {"keys": []})})
        cache = mock_service("cache", interface("main", "tcp", %d), routes = {"PING\\n": bytes_response(data = "PONG\\n")})
        jwks_unavailable = fault_assumption("jwks_unavailable", target = auth.http,
            rules = [error(path = "/jwks", status = 503)])
        """.formatted(auth, cache));
    Files.writeString(dir.resolve("broken.star"), "auth = mock_service(\"auth\", interface(\"http\", \"http\", 1))\nx = 1 +\n");
    Files.writeString(dir.resolve("suite.star"), """
        auth = mock_service("auth", interface("http", "http", %d),
            routes = {"GET /jwks": json_response(status = 200, body = {"keys": []})})

        def test_jwks():
            assert_eq(auth.http.get(path = "/jwks").status, 200)

        def test_counts():
            auth.http.get(path = "/jwks")
            assert_eq(events().where(service = "auth").count(), 1)

        def test_wrong():
            assert_eq(auth.http.get(path = "/jwks").status, 404, "wanted a 404")
        """.formatted(auth));
  }
}
