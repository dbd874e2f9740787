package dev.faultbox.kernel.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.FaultProbe;
import java.time.Duration;
import java.util.Map;
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
}
