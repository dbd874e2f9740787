package dev.faultbox.examples.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.StepException;
import dev.faultbox.spi.StepResult;
import dev.faultbox.testkit.FreePorts;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The steps a spec calls, against a running mock. */
class StepsTest {

  private Running mock;
  private Endpoint target;

  @BeforeEach
  void start() throws Exception {
    mock = new Running(Map.of("user:1", "alice"));
    target = Endpoint.plain("cache", "main", "memcached", "127.0.0.1", mock.at.getPort());
  }

  @AfterEach
  void stop() {
    mock.close();
  }

  private StepResult call(String step, Map<String, Object> kwargs) {
    return Steps.ALL.get(step).call(target, kwargs);
  }

  private StepResult.Response response(String step, Map<String, Object> kwargs) {
    return (StepResult.Response) call(step, kwargs);
  }

  @Test
  void getSetAndDelete() {
    StepResult.Response hit = response("get", Map.of("key", "user:1"));
    assertThat(hit.ok()).isTrue();
    assertThat(hit.bodyText()).isEqualTo("alice");
    assertThat(hit.attributes()).containsEntry("result", "HIT").containsEntry("flags", "0");
    assertThat(response("get", Map.of("key", "nope")).attributes()).containsEntry("result", "MISS");
    StepResult.Response set = response("set", Map.of("key", "k", "value", "v", "flags", 9L, "exptime", 60L));
    assertThat(set.attributes()).containsEntry("result", "STORED").containsEntry("message", "");
    assertThat(response("get", Map.of("key", "k")).attributes()).containsEntry("flags", "9");
    assertThat(response("set", Map.of("key", "b", "value", new byte[] {0, 1})).attributes()).containsEntry("result", "STORED");
    assertThat(response("delete", Map.of("key", "k")).attributes()).containsEntry("result", "DELETED");
    assertThat(response("delete", Map.of("key", "k")).attributes()).containsEntry("result", "NOT_FOUND");
  }

  @Test
  void statsIsADictOfTheGeneralStatistics() {
    Object stats = ((StepResult.Value) call("stats", Map.of())).value();
    assertThat(stats).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("version", "1.6.0").containsEntry("curr_items", "1").containsKey("netty");
  }

  @Test
  void faultsShowAsResultsAndDropsAsNotOk() {
    mock.context.setFaultGate(probe -> new FaultDecision(FaultDecision.Action.ERROR, Duration.ZERO, 0, "cache down",
        Optional.of("down")));
    StepResult.Response error = response("get", Map.of("key", "user:1"));
    assertThat(error.ok()).isTrue();
    assertThat(error.attributes()).containsEntry("result", "SERVER_ERROR").containsEntry("message", "cache down");
    mock.context.setFaultGate(probe -> new FaultDecision(FaultDecision.Action.DROP, Duration.ZERO, 0, "",
        Optional.of("drop")));
    StepResult.Response dropped = response("set", Map.of("key", "k", "value", "v"));
    assertThat(dropped.ok()).isFalse();
    assertThat(dropped.error()).isEqualTo("connection closed before a reply");
    mock.context.setFaultGate(probe -> new FaultDecision(FaultDecision.Action.PASS, Duration.ofSeconds(2), 0, "",
        Optional.of("slow")));
    StepResult.Response late = response("get", Map.of("key", "user:1", "timeout_ms", 200L));
    assertThat(late.ok()).isFalse();
    assertThat(late.error()).isEqualTo("no reply within 200ms");
  }

  @Test
  void badArgumentsAndNoListener() {
    assertThatThrownBy(() -> call("get", Map.of())).isInstanceOf(StepException.class).hasMessage("key= must be a str, got None");
    assertThatThrownBy(() -> call("get", Map.of("key", "a b"))).isInstanceOf(StepException.class)
        .hasMessage("key= \"a b\": a key has a space or control character");
    assertThatThrownBy(() -> call("set", Map.of("key", "k", "value", 3L))).isInstanceOf(StepException.class)
        .hasMessage("set() value= must be a str or bytes, got int");
    Endpoint nowhere = Endpoint.plain("cache", "main", "memcached", "127.0.0.1", FreePorts.tcp());
    StepResult.Response refused = (StepResult.Response) Steps.ALL.get("get").call(nowhere, Map.of("key", "k"));
    assertThat(refused.ok()).isFalse();
    assertThat(refused.error()).startsWith("connection refused by 127.0.0.1:");
  }
}
