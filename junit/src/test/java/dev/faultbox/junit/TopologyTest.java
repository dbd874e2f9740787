package dev.faultbox.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java API without the extension: load, start, addresses, events, faults, close. */
class TopologyTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void specs() throws Exception {
    Specs.write();
  }

  private static int get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void startsTheServicesAndReportsWhatTheySaw() throws Exception {
    try (Topology deps = Faultbox.load(Path.of(Specs.DIR, "deps.star")).start()) {
      assertThat(deps.address("auth", "http")).isEqualTo(new InetSocketAddress("127.0.0.1", Specs.auth));
      assertThat(deps.url("auth", "http")).isEqualTo("http://127.0.0.1:" + Specs.auth);
      assertThat(deps.url("cache", "main")).isEqualTo("tcp://127.0.0.1:" + Specs.cache);
      assertThat(deps.properties()).containsEntry("faultbox.auth.http.url", "http://127.0.0.1:" + Specs.auth)
          .containsEntry("faultbox.auth.http.host", "127.0.0.1")
          .containsEntry("faultbox.cache.main.port", Integer.toString(Specs.cache));

      assertThat(get(deps.url("auth", "http") + "/jwks")).isEqualTo(200);
      Events jwks = deps.events().where("service", "auth").where("op", "GET /jwks");
      assertThat(jwks.count()).isOne();
      assertThat(jwks.first()).get().extracting(e -> e.fields().get("status")).isEqualTo(200);
      assertThat(deps.events().where("status", 200).count()).isOne();
      assertThat(deps.events().where("status", "2*").count()).isOne();
      assertThat(deps.events().where("service", "cache").list()).isEmpty();

      try (Topology.Fault down = deps.fault("jwks_unavailable")) {
        assertThat(get(deps.url("auth", "http") + "/jwks")).isEqualTo(503);
        assertThat(down.fired()).isOne();
      }
      assertThat(get(deps.url("auth", "http") + "/jwks")).as("the fault is lifted").isEqualTo(200);
      assertThat(jwks.count()).isEqualTo(3);

      deps.resetEvents();
      assertThat(jwks.count()).isZero();
      Thread later = new Thread(() -> {
        try {
          Thread.sleep(300);
          get(deps.url("auth", "http") + "/jwks");
        } catch (Exception ignored) {
          // the wait below fails instead
        }
      });
      later.start();
      assertThat(deps.awaitEvents(jwks, 1, Duration.ofSeconds(5))).hasSize(1);
      assertThatThrownBy(() -> deps.awaitEvents(jwks, 2, Duration.ofMillis(200)))
          .isInstanceOf(AssertionError.class)
          .hasMessage("expected 2 events matching service=auth, op=GET /jwks within 200ms, saw 1");

      assertThatThrownBy(() -> deps.fault("jwks_down"))
          .hasMessage("the spec " + Path.of(Specs.DIR, "deps.star") + " has no fault_assumption named jwks_down; it has: jwks_unavailable");
      assertThatThrownBy(() -> deps.url("auth", "grpc")).hasMessage("service auth has no interface grpc; it has: http");
      assertThatThrownBy(() -> deps.address("nope", "http")).hasMessage("the spec " + Path.of(Specs.DIR, "deps.star")
          + " has no service nope; it has: auth, cache");
    }
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress("127.0.0.1", Specs.auth)); // released by close()
    }
  }

  @Test
  void portZeroTakesAFreePortPerInterface() throws Throwable {
    java.nio.file.Files.writeString(Path.of(Specs.DIR, "free.star"), """
        a = mock_service("a", interface("http", "http", 0), routes = {"GET /": json_response(status = 200, body = {})})
        b = mock_service("b", interface("http", "http", 0), interface("udp", "udp", 0))
        def test_ports():
            assert_true(a.http.port > 0 and a.http.port != b.http.port)
            assert_eq(a.http.addr, "localhost:" + str(a.http.port))
        """);
    try (Topology t = Faultbox.load(Path.of(Specs.DIR, "free.star")).start()) {
      int a = t.address("a", "http").getPort();
      assertThat(a).isPositive().isNotEqualTo(t.address("b", "http").getPort());
      assertThat(t.address("b", "udp").getPort()).isPositive();
      assertThat(get(t.url("a", "http") + "/")).isEqualTo(200);
    }
    var tests = FaultboxTests.of(Specs.DIR + "/free.star").toList();
    assertThat(tests).hasSize(1);
    tests.get(0).getExecutable().execute(); // the last test: it ends the session too
  }

  @Test
  void aSpecThatDoesNotLoadNamesItsLineAndNoJavaFrames() {
    assertThatThrownBy(() -> Faultbox.load(Path.of(Specs.DIR, "broken.star")))
        .isInstanceOf(FaultboxException.class)
        .hasMessageStartingWith(Path.of(Specs.DIR, "broken.star") + ":2:")
        .satisfies(e -> assertThat(e.getStackTrace()).isEmpty());
    assertThatThrownBy(() -> Faultbox.load(Path.of("nope.star")))
        .isInstanceOf(FaultboxException.class)
        .hasMessageStartingWith("spec nope.star not found (looked in ");
  }
}
