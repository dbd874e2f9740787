package dev.faultbox.plugin.grpc;

import static dev.faultbox.plugin.grpc.StreamingTest.TICKER;
import static dev.faultbox.plugin.grpc.StreamingTest.msg;
import static dev.faultbox.plugin.grpc.StreamingTest.responses;
import static dev.faultbox.plugin.grpc.StreamingTest.script;
import static dev.faultbox.plugin.grpc.TestSupport.inSpecDir;
import static dev.faultbox.testkit.MockDefinitionBuilder.dynamic;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.faultbox.plugin.support.Json;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.RecordingContext;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * grpc-js ({@code @grpc/grpc-js} with {@code @grpc/proto-loader}) against a typed mock: an error
 * with rich details (the google.rpc.Status it receives), a server stream, one cut by a fault after
 * a message, and a bidi ping-pong. npm installs the
 * packages once into {@code target/node-grpc}; the test is skipped where node or npm is missing.
 */
class NodeClientTest {

  private static final Path CLIENT = Path.of("target", "node-grpc");

  private final TestSupport.Resources resources = new TestSupport.Resources();
  private final RecordingContext context = new RecordingContext();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  @Test
  @SuppressWarnings("unchecked")
  void grpcJsStreamsFromTheMock() throws Exception {
    assumeTrue(TestSupport.onPath("node") && TestSupport.onPath("npm"), "node and npm are not installed");
    assumeTrue(TestSupport.npmInstalled(CLIENT, List.of("@grpc/grpc-js@1", "@grpc/proto-loader@0.8")),
        "npm could not install @grpc/grpc-js and @grpc/proto-loader");
    Path script = CLIENT.resolve("grpcjs-check.js");
    Path proto = CLIENT.resolve("ticker.proto");
    try (InputStream in = getClass().getResourceAsStream("/node/grpcjs-check.js");
        InputStream p = getClass().getResourceAsStream("/ticker/v1/ticker.proto")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(p, proto, StandardCopyOption.REPLACE_EXISTING);
    }
    MockServer server = resources.server(inSpecDir(mock("ticker", "grpc", 0).config("descriptors", "all_upstreams.pb")
        .route(TICKER + "Last", new MockResponse.Status("INVALID_ARGUMENT", "bad symbol", List.of(Map.of(
            "@type", "type.googleapis.com/google.rpc.BadRequest",
            "field_violations", List.of(Map.of("field", "symbol", "description", "unknown"))))))
        .route(TICKER + "Watch", script(5, null, Map.of("seq", 1), Map.of("seq", 2), Map.of("seq", 3)))
        .route(TICKER + "Chat", dynamic(r -> {
          long seq = (Long) StreamingTest.request(r).get("seq");
          return CompletableFuture.completedFuture(responses(msg("seq", seq * 10)));
        }))
        .build()), context);
    context.setFaultGate(new CutSecondWatch()); // the script's second Watch ("CUT") ends after one message

    Process node = new ProcessBuilder("node", script.getFileName().toString(),
        Integer.toString(server.address().getPort()), proto.getFileName().toString())
        .directory(CLIENT.toFile()).redirectErrorStream(true).start();
    assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("the script ends").isTrue();
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(node.exitValue()).as(output).isZero();
    Map<String, Object> seen = (Map<String, Object>) Json.parse(output.substring(output.lastIndexOf('\n') + 1));
    Map<String, Object> last = (Map<String, Object>) seen.get("last");
    assertThat(last).containsEntry("code", 3L).containsEntry("details", "bad symbol");
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(
        java.util.Base64.getDecoder().decode((String) last.get("status_details")));
    assertThat(status.getCode()).isEqualTo(3);
    assertThat(status.getDetails(0).unpack(com.google.rpc.BadRequest.class).getFieldViolations(0).getField())
        .isEqualTo("symbol");
    assertThat(seen.get("watch")).isEqualTo(Map.of("seqs", List.of("1", "2", "3"), "code", 0L));
    Map<String, Object> cut = (Map<String, Object>) seen.get("cut");
    assertThat(cut).containsEntry("seqs", List.of("1")).containsEntry("code", 14L);
    assertThat(seen.get("chat")).isEqualTo(Map.of("seqs", List.of("10", "20", "30"), "code", 0L));
    assertThat(context.recorded("send")).hasSize(3 + 1 + 3);
    assertThat(context.recorded("recv").stream().filter(e -> e.fields().get("method").equals(TICKER + "Chat")))
        .hasSize(3);
  }

  /** The second Watch call is cut after one message, as drop(method=..., after=1) does. */
  private static final class CutSecondWatch implements dev.faultbox.spi.FaultGate {
    private int watches;

    @Override
    public synchronized FaultDecision decide(dev.faultbox.spi.FaultProbe probe) {
      if (probe.op().endsWith("/Watch") && ++watches == 2) {
        return new FaultDecision(FaultDecision.Action.DROP, Duration.ZERO, 0, "", Optional.of("cut"),
            Map.of(Codes.AFTER, 1));
      }
      return FaultDecision.PASS;
    }
  }
}
