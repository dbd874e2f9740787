package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.kernel.event.Event;
import dev.faultbox.kernel.fault.FaultAssumption;
import dev.faultbox.kernel.plugin.PluginRegistry;
import dev.faultbox.kernel.runtime.ServiceRuntime;
import dev.faultbox.kernel.spec.SpecSession;
import dev.faultbox.kernel.spec.Stdlib;
import dev.faultbox.testkit.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults act inside the mock, so any client is their victim, not only test steps: curl and the
 * JDK client see the fault while it is laid, and only then.
 */
class FaultVictimsTest {
  @TempDir Path dir;

  @Test
  void curlAndTheJdkClientSeeTheFaultOnlyWhileItIsLaid() throws Exception {
    int port = FreePorts.tcp();
    Path spec = dir.resolve("auth.star");
    Files.writeString(spec, """
        auth = mock_service("auth", interface("main", "http", %d), routes = {
            "GET /.well-known/openid-configuration/jwks": json_response(200, {"keys": []}),
        })
        jwks_unavailable = fault_assumption("jwks_unavailable",
            target = auth.main,
            rules  = [error(path = "/.well-known/**", status = 503)],
        )
        """.formatted(port));
    ClassLoader loader = getClass().getClassLoader();
    PluginRegistry plugins = PluginRegistry.load(loader);
    try (SpecSession session = SpecSession.load(spec, "auth.star", plugins, Stdlib.load(loader, plugins.libraries()),
        SpecSession.Options.defaults(System.out))) {
      var log = session.freshEvents();
      try (ServiceRuntime mocks = new ServiceRuntime(session, log)) {
        mocks.start();
        String url = "http://127.0.0.1:" + port + "/.well-known/openid-configuration/jwks";
        FaultAssumption fault = (FaultAssumption) session.global("jwks_unavailable");

        assertThat(curlStatus(url)).isEqualTo("200");
        assertThat(jdkStatus(url)).isEqualTo(200);
        var window = session.faults().apply(List.of(fault));
        assertThat(curlStatus(url)).isEqualTo("503");
        assertThat(jdkStatus(url)).isEqualTo(503);
        session.faults().remove(window);
        assertThat(curlStatus(url)).isEqualTo("200");
        assertThat(jdkStatus(url)).isEqualTo(200);

        List<Event> requests = log.snapshot().stream().filter(e -> e.kind().equals("mock")).toList();
        assertThat(requests).extracting(e -> e.fields().get("status")).containsExactly(200, 200, 503, 503, 200, 200);
        assertThat(requests).extracting(e -> e.fields().getOrDefault("fault", ""))
            .containsExactly("", "", "jwks_unavailable", "jwks_unavailable", "", "");
      }
    }
  }

  private static String curlStatus(String url) throws Exception {
    Process p = new ProcessBuilder("curl", "-s", "--max-time", "20", "-o", "/dev/null", "-w", "%{http_code}", url).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  private static int jdkStatus(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
