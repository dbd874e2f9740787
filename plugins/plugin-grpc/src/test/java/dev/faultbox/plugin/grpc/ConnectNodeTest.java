package dev.faultbox.plugin.grpc;

import static dev.faultbox.plugin.grpc.TestSupport.GEO;
import static dev.faultbox.plugin.grpc.TestSupport.inSpecDir;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.faultbox.plugin.support.Json;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.RecordingContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Connect project's Node clients (npm {@code @connectrpc/connect-node} 2 with
 * {@code @bufbuild/protobuf} 2) against a typed mock: Connect JSON and binary over HTTP/1.1,
 * Connect over HTTP/2, and gRPC-Web over both. npm installs them once into
 * {@code target/connect-node}; the test is skipped where node or npm is missing or the packages
 * cannot be installed.
 */
class ConnectNodeTest {

  private static final Path CLIENTS = Path.of("target", "connect-node");
  private static final List<String> PACKAGES =
      List.of("@connectrpc/connect@2.1.2", "@connectrpc/connect-node@2.1.2", "@bufbuild/protobuf@2.17.0");

  private final TestSupport.Resources resources = new TestSupport.Resources();
  private final RecordingContext context = new RecordingContext();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  @Test
  void connectAndGrpcWebClientsCallTheMock() throws Exception {
    assumeTrue(TestSupport.onPath("node") && TestSupport.onPath("npm"), "node and npm are not installed");
    assumeTrue(TestSupport.npmInstalled(CLIENTS, PACKAGES), "npm could not install the Connect packages");
    Path script = CLIENTS.resolve("connect-check.mjs");
    try (var in = getClass().getResourceAsStream("/node/connect-check.mjs")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    MockServer server = resources.server(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "all_upstreams.pb")
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("name", "Almaty", "city_id", 7)))
        .route(GEO + "ListCountries", new MockResponse.Status("NOT_FOUND", "no countries here"))
        .build()), context);
    Process node = new ProcessBuilder("node", script.getFileName().toString(),
        "http://127.0.0.1:" + server.address().getPort(),
        TestSupport.DESCRIPTORS.resolve("all_upstreams.pb").toAbsolutePath().toString())
        .directory(CLIENTS.toFile()).redirectErrorStream(true).start();
    assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("the script ends").isTrue();
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(node.exitValue()).as(output).isZero();
    @SuppressWarnings("unchecked")
    Map<String, Object> seen = (Map<String, Object>) Json.parse(output.substring(output.lastIndexOf('\n') + 1));
    assertThat(seen).containsOnlyKeys("connectJson", "connectBinary", "connectH2", "grpcWeb", "grpcWebH2");
    for (Object each : seen.values()) {
      // Code.NotFound is 5 in Connect's enum, as in gRPC's.
      assertThat(each).isEqualTo(Map.of("name", "Almaty", "cityId", "7",
          "error", Map.of("code", 5L, "message", "no countries here")));
    }
    List<MockEvent> events = context.awaitEvents(10, Duration.ofSeconds(10));
    assertThat(events).extracting(e -> e.fields().get("protocol"))
        .containsExactly("connect", "connect", "connect", "connect", "connect", "connect",
            "grpc-web", "grpc-web", "grpc-web", "grpc-web");
    assertThat(events).extracting(MockEvent::op)
        .containsExactly("ok", "error", "ok", "error", "ok", "error", "ok", "error", "ok", "error");
  }
}
