package dev.faultbox.kernel.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.FaultProbe;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultRuleTest {
  private static final FaultModel MODEL = new FaultModel(
      Map.of("method", FaultModel.Match.GLOB_IGNORING_CASE, "path", FaultModel.Match.GLOB, "prefix", FaultModel.Match.PREFIX),
      Map.of(), 100, 999, 500, 200);

  private static FaultRule drop(Map<String, String> matchers) {
    return new FaultRule(FaultRule.Kind.DROP, matchers, 1, 0, null, "", Duration.ZERO, false).on("web", MODEL);
  }

  @Test
  void eachMatcherComparesAsItsProtocolSays() {
    FaultProbe get = new FaultProbe("GET /Api/x", Map.of("method", "GET", "path", "/Api/x", "prefix", "PING 1"));
    assertThat(drop(Map.of("method", "get")).matches(get)).as("caseless").isTrue();
    assertThat(drop(Map.of("method", "p*")).matches(get)).isFalse();
    assertThat(drop(Map.of("path", "/api/*")).matches(get)).as("a plain glob keeps case").isFalse();
    assertThat(drop(Map.of("path", "/Api/*")).matches(get)).isTrue();
    assertThat(drop(Map.of("prefix", "PING")).matches(get)).as("a prefix as written").isTrue();
    assertThat(drop(Map.of("prefix", "PI*")).matches(get)).as("no glob in a prefix").isFalse();
    assertThat(drop(Map.of()).matches(new FaultProbe("x", Map.of()))).as("no matchers take every request").isTrue();
  }

  @Test
  void protocolOptionsReachTheDecisionWhenTheProtocolHonoursThem() {
    FaultModel streams = MODEL.withOptions(Map.of(
        "after", new FaultModel.RuleOption(FaultModel.RuleOption.Type.COUNT, Set.of("error", "drop"), "messages first"),
        "per_message", new FaultModel.RuleOption(FaultModel.RuleOption.Type.FLAG, Set.of("delay"), "each message")));
    FaultRule error = new FaultRule(FaultRule.Kind.ERROR, Map.of("method", "/s/*"), 1, 503, null, "x", Duration.ZERO, false)
        .withOptions(Map.of("after", 3));
    var decision = error.on("grpc", streams).decision("mid");
    assertThat(decision.count("after", 0)).isEqualTo(3);
    assertThat(decision.flag("per_message")).isFalse();
    assertThat(net.starlark.java.eval.Starlark.repr(error)).isEqualTo("error(method = \"/s/*\", status = 503, message = \"x\", after = 3)");

    assertThatThrownBy(() -> error.on("web", MODEL)).hasMessage(
        "error(method = \"/s/*\", status = 503, message = \"x\", after = 3) cannot apply to a web interface: after= means nothing there");
    FaultRule delay = new FaultRule(FaultRule.Kind.DELAY, Map.of(), 1, 0, null, "", Duration.ofMillis(5), false);
    assertThatThrownBy(() -> delay.withOptions(Map.of("after", 1)).on("grpc", streams))
        .hasMessageEndingWith(": on a grpc interface after= (messages first) is for drop(), error(), not delay()");
    assertThatThrownBy(() -> delay.withOptions(Map.of("per_message", 2)).on("grpc", streams))
        .hasMessageEndingWith(": per_message= takes True or False (each message)");
    assertThatThrownBy(() -> error.withOptions(Map.of("after", -1)).on("grpc", streams))
        .hasMessageEndingWith(": after= takes a whole number, 0 or more (messages first)");
    assertThat(delay.withOptions(Map.of("per_message", true)).on("grpc", streams).decision("slow").flag("per_message")).isTrue();
  }
}
