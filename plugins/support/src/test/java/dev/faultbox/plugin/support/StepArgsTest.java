package dev.faultbox.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepArgsTest {

  @Test
  void readsKeywordsWithMessagesInTheSpecsTerms() {
    StepArgs args = StepArgs.of("send", Map.of("data", "hi", "timeout_ms", 10L, "headers", Map.of("a", "b")));
    assertThat(args.data("data")).isEqualTo("hi".getBytes());
    assertThat(args.timeoutMs(5000)).isEqualTo(10);
    assertThat(args.stringDict("headers")).containsExactly(Map.entry("a", "b"));
    assertThat(StepArgs.of("send", Map.of()).timeoutMs(5000)).isEqualTo(5000);

    assertThatThrownBy(() -> StepArgs.of("send", Map.of()).data("data")).hasMessage("send() requires data=");
    assertThatThrownBy(() -> StepArgs.of("get", Map.of("timeout_ms", "x")).timeoutMs(1))
        .hasMessage("get() timeout_ms= must be an int, got str");
    assertThatThrownBy(() -> StepArgs.of("get", Map.of("timeout_ms", 0L)).timeoutMs(1))
        .hasMessage("get() timeout_ms= must be in 1..3600000, got 0");
    assertThatThrownBy(() -> StepArgs.of("call", Map.of("metadata", Map.of("k", 1L))).stringDict("metadata"))
        .hasMessage("call() metadata= must be a dict of str, got a str key with a int value");
    assertThatThrownBy(() -> StepArgs.of("call", Map.of("x", 1L)).only(List.of("method", "body")))
        .hasMessage("call() has no parameter x=; accepted: method, body");
  }
}
