package dev.faultbox.plugin.grpc;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import dev.faultbox.plugin.grpc.test.flags.FlagsGrpc;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultProbe;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fault decisions act inside the mock: delays, statuses, drops, recorded on the events. */
class FaultTest {

  private final TestSupport.Resources resources = new TestSupport.Resources();
  private final ConcurrentLinkedQueue<FaultProbe> probes = new ConcurrentLinkedQueue<>();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private FlagsGrpc.FlagsBlockingStub flags(RecordingContext context, FaultDecision decision) throws Exception {
    context.setFaultGate(probe -> {
      probes.add(probe);
      return probe.attributes().get("method").endsWith("/Get") ? decision : FaultDecision.PASS;
    });
    MockServer server = resources.server(mock("flags", "grpc", 0)
        .route("/flags.v1.Flags/Get", new MockResponse.Structured(Map.of("variant", "B")))
        .route("/flags.v1.Flags/List", new MockResponse.Structured(Map.of("flags", List.of())))
        .build(), context);
    return FlagsGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void respondAnswersWithTheFaultsCodeAndMessage() throws Exception {
    RecordingContext context = new RecordingContext();
    var stub = flags(context, new FaultDecision(FaultDecision.Action.RESPOND, Duration.ZERO, 14, "injected outage",
        Optional.of("flags_down")));
    assertThatThrownBy(() -> stub.get(Struct.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).isEqualTo("injected outage");
        });
    MockEvent event = context.recorded("error").get(0);
    assertThat(event.fields())
        .containsEntry("method", "/flags.v1.Flags/Get")
        .containsEntry("code", "UNAVAILABLE")
        .containsEntry("message", "injected outage")
        .containsEntry("fault", "flags_down");
    FaultProbe probe = probes.peek();
    assertThat(probe).isEqualTo(new FaultProbe("/flags.v1.Flags/Get", Map.of("method", "/flags.v1.Flags/Get")));
    // Other methods pass.
    assertThat(stub.list(Struct.getDefaultInstance()).containsFields("flags")).isTrue();
  }

  @Test
  void respondWithACodeOutOfRangeIsInternal() throws Exception {
    RecordingContext context = new RecordingContext();
    var stub = flags(context, new FaultDecision(FaultDecision.Action.RESPOND, Duration.ZERO, 503, "http-ish",
        Optional.of("odd")));
    assertThatThrownBy(() -> stub.get(Struct.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getStatus().getDescription()).isEqualTo("http-ish");
        });
  }

  @Test
  void dropIsUnavailable() throws Exception {
    RecordingContext context = new RecordingContext();
    var stub = flags(context, new FaultDecision(FaultDecision.Action.DROP, Duration.ZERO, 0, "", Optional.of("cut")));
    assertThatThrownBy(() -> stub.get(Struct.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).isEqualTo("connection dropped");
        });
    assertThat(context.recorded("error").get(0).fields()).containsEntry("fault", "cut");
  }

  @Test
  void delayHoldsTheReplyWithoutBlockingOthers() throws Exception {
    RecordingContext context = new RecordingContext();
    var stub = flags(context, new FaultDecision(FaultDecision.Action.PASS, Duration.ofMillis(2000), 0, "",
        Optional.of("slow")));
    java.util.concurrent.CompletableFuture<Struct> slow =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> stub.get(Struct.getDefaultInstance()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (probes.stream().noneMatch(p -> p.attributes().get("method").endsWith("/Get"))) { // the delayed call is held
      assertThat(System.nanoTime()).as("the delayed call reaches the mock").isLessThan(deadline);
      Thread.sleep(10);
    }
    stub.list(Struct.getDefaultInstance());
    assertThat(slow).as("the other call is answered while the delayed one waits").isNotDone();
    Struct reply = slow.get(10, TimeUnit.SECONDS);
    assertThat(reply.getFieldsOrThrow("variant").getStringValue()).isEqualTo("B");
    MockEvent ok = context.recorded("ok").stream()
        .filter(e -> ((String) e.fields().get("method")).endsWith("/Get")).findFirst().orElseThrow();
    assertThat(ok.fields()).containsEntry("fault", "slow");
    assertThat((Long) ok.fields().get("duration_ms")).isGreaterThanOrEqualTo(1990);
  }

  @Test
  void delayThenRespond() throws Exception {
    RecordingContext context = new RecordingContext();
    var stub = flags(context, new FaultDecision(FaultDecision.Action.RESPOND, Duration.ofMillis(200), 4, "too slow",
        Optional.of("deadline")));
    long started = System.nanoTime();
    assertThatThrownBy(() -> stub.get(Struct.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
  }

  @Test
  void aCallThatGivesUpDuringADelayIsStillAnEvent() throws Exception {
    RecordingContext context = new RecordingContext();
    var stub = flags(context, new FaultDecision(FaultDecision.Action.PASS, Duration.ofSeconds(2), 0, "",
        Optional.of("slow")));
    assertThatThrownBy(() -> stub.withDeadlineAfter(200, TimeUnit.MILLISECONDS).get(Struct.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    MockEvent cancelled = context.awaitEvent(Duration.ofSeconds(5));
    assertThat(cancelled.op()).isEqualTo("error");
    assertThat(cancelled.fields()).containsEntry("fault", "slow").containsEntry("method", "/flags.v1.Flags/Get");
    // The client's RST_STREAM (CANCELLED) and the server's own copy of the deadline race.
    assertThat(cancelled.fields().get("code")).isIn("CANCELLED", "DEADLINE_EXCEEDED");
    Thread.sleep(2200); // the delayed answer comes to nothing: still one event
    assertThat(context.recorded()).hasSize(1);
  }

  @Test
  void failingGateServesNormally() throws Exception {
    RecordingContext context = new RecordingContext();
    context.setFaultGate(probe -> {
      throw new IllegalStateException("gate broke");
    });
    MockServer server = resources.server(mock("flags", "grpc", 0)
        .route("/flags.v1.Flags/Get", new MockResponse.Structured(Map.of("variant", "B"))).build(), context);
    String printed = Console.capture(() -> {
      Struct reply = FlagsGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS)
          .get(Struct.getDefaultInstance());
      assertThat(reply.getFieldsOrThrow("variant").getStringValue()).isEqualTo("B");
    });
    assertThat(printed).contains("flags.main: fault gate failed, serving normally: gate broke");
  }
}
