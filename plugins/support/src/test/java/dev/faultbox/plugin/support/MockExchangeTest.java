package dev.faultbox.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.spi.DynamicHandler;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultProbe;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockRequest;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.testkit.MockDefinitionBuilder;
import dev.faultbox.testkit.RecordingContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MockExchangeTest {

  private final RecordingContext context = new RecordingContext();
  private final MockDefinition definition = MockDefinitionBuilder.mock("svc", "test", 0).build();

  /** A request names its route's answer: a body, "fail", "none", "number", or a body for a handler ("ask:"). */
  private final class TestAnswers implements MockExchange.Answers<String, String> {
    @Override
    public String mockKind() {
      return "a test mock";
    }

    @Override
    public FaultProbe probe(String request) {
      return new FaultProbe("op", Map.of("text", request));
    }

    @Override
    public String fault(String request, FaultDecision decision) {
      return decision.action() + ":" + decision.message();
    }

    @Override
    public MockExchange.Routed<String> route(String request, Map<String, Object> fields) {
      fields.put("route", request);
      if (request.equals("throw")) {
        throw new IllegalStateException("a bug\nin the protocol");
      }
      if (request.startsWith("later:")) {
        String what = request.substring(6);
        CompletableFuture<String> later = new CompletableFuture<>();
        context.scheduler().schedule(() -> {
          if (what.equals("fail")) {
            later.completeExceptionally(new IllegalStateException("gave up"));
          } else {
            later.complete(what);
          }
        }, 100, TimeUnit.MILLISECONDS);
        return new MockExchange.Routed.Later<>(later);
      }
      if (!request.startsWith("ask:")) {
        return new MockExchange.Routed.Ready<>(request);
      }
      String what = request.substring(4);
      DynamicHandler handler = r -> switch (what) {
        case "fail" -> CompletableFuture.failedFuture(new IllegalStateException("boom\nsecond line"));
        case "none" -> CompletableFuture.completedFuture(null);
        case "number" -> CompletableFuture.completedFuture(new MockResponse.Status("1", ""));
        default -> CompletableFuture.supplyAsync(() -> new MockResponse.Static(0, Map.of(), r.body(), Optional.empty()));
      };
      return new MockExchange.Routed.Ask<>(handler, MockRequest.ofBody(what.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String respond(String request, MockResponse response) throws MockExchange.Refusal {
      if (response instanceof MockResponse.Static s) {
        return s.bodyText();
      }
      throw MockExchange.Refusal.kind("status_response(...)");
    }

    @Override
    public String failed(String request, String error) {
      return "ERR " + error;
    }

    @Override
    public MockEvent event(String request, String reply, Map<String, Object> fields) {
      fields.put("reply", reply);
      return definition.event("op", fields);
    }
  }

  private final MockExchange<String, String> exchange = new MockExchange<>(definition, context, new TestAnswers());

  /** Serves {@code request}; the reply, once its event is recorded. */
  private String serve(String request) throws InterruptedException {
    LinkedBlockingQueue<List<Object>> out = new LinkedBlockingQueue<>();
    exchange.serve(RequestLoop.anyThread(context.scheduler()), request, outcome -> {
      int before = context.recorded().size();
      String reply = outcome.emit();
      out.add(List.of(reply, context.recorded().size() - before));
    });
    List<Object> got = out.poll(5, TimeUnit.SECONDS);
    assertThat(got).as("an outcome").isNotNull();
    assertThat(got.get(1)).as("the event is recorded by emit(), before the reply is written").isEqualTo(1);
    return (String) got.get(0);
  }

  private MockEvent lastEvent() {
    List<MockEvent> events = context.recorded();
    return events.get(events.size() - 1);
  }

  @Test
  void servesRoutesAndHandlersWithTheEventBeforeTheReply() throws Exception {
    assertThat(serve("static")).isEqualTo("static");
    assertThat(lastEvent().fields()).containsEntry("route", "static").containsEntry("reply", "static");
    assertThat(serve("ask:echo")).isEqualTo("echo");
  }

  @Test
  void laterRepliesFinishWhenTheyCompleteOnAnotherThread() throws Exception {
    long started = System.nanoTime();
    assertThat(serve("later:pushed")).isEqualTo("pushed");
    assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(lastEvent().fields()).containsEntry("route", "later:pushed").containsEntry("reply", "pushed");
    assertThat(serve("later:fail")).isEqualTo("ERR gave up");
    assertThat(lastEvent().fields()).containsEntry("error", "gave up");
  }

  @Test
  void aRouteThatThrowsIsAnsweredAsAFailedHandlerAndRecorded() throws Exception {
    assertThat(serve("throw")).isEqualTo("ERR serving the request failed: a bug in the protocol");
    assertThat(lastEvent().fields()).containsEntry("error", "serving the request failed: a bug in the protocol");
  }

  @Test
  void failingHandlersAnswerWithOneLineErrors() throws Exception {
    assertThat(serve("ask:fail")).isEqualTo("ERR boom second line");
    assertThat(lastEvent().fields()).containsEntry("error", "boom second line");
    assertThat(serve("ask:none")).isEqualTo("ERR dynamic handler answered None, which a test mock cannot send");
    assertThat(serve("ask:number"))
        .isEqualTo("ERR dynamic handler answered status_response(...), which a test mock cannot send");
  }

  @Test
  void faultsAnswerAfterTheirDelayAndAreRecorded() throws Exception {
    context.setFaultGate(probe -> new FaultDecision(
        FaultDecision.Action.ERROR, Duration.ofMillis(150), 503, "down", Optional.of("outage")));
    long started = System.nanoTime();
    assertThat(serve("static")).isEqualTo("ERROR:down");
    assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
    assertThat(lastEvent().fields()).containsEntry("fault", "outage").doesNotContainKey("route");
  }

  @Test
  void aFailingGateServesNormally() throws Exception {
    context.setFaultGate(probe -> {
      throw new IllegalStateException("gate broke");
    });
    assertThat(serve("static")).isEqualTo("static");
  }
}
