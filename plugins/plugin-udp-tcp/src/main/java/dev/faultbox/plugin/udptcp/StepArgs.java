package dev.faultbox.plugin.udptcp;

import dev.faultbox.plugin.support.Config;
import dev.faultbox.spi.StepException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Reading step keywords, failing with one-line {@link StepException}s. */
final class StepArgs {

  static final long DEFAULT_TIMEOUT_MS = 5000;
  /** An hour: a step waiting longer than that is a mistake in the spec. */
  static final long MAX_TIMEOUT_MS = 3_600_000;

  private StepArgs() {}

  /** {@code data=} as bytes: a str is sent as UTF-8, bytes as is. */
  static byte[] data(String step, Map<String, Object> kwargs) {
    Object data = kwargs.get("data");
    if (data == null) {
      throw new StepException(step + "() requires data=");
    }
    if (data instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    if (data instanceof byte[] b) {
      return b.clone();
    }
    throw new StepException(
        step + "() data= must be a str, got " + Config.starlarkType(data));
  }

  static long timeoutMs(String step, Map<String, Object> kwargs) {
    Object value = kwargs.get("timeout_ms");
    if (value == null) {
      return DEFAULT_TIMEOUT_MS;
    }
    if (!(value instanceof Long || value instanceof Integer)) {
      throw new StepException(
          step + "() timeout_ms= must be an int, got " + Config.starlarkType(value));
    }
    long ms = ((Number) value).longValue();
    if (ms <= 0 || ms > MAX_TIMEOUT_MS) {
      throw new StepException(
          step + "() timeout_ms= must be in 1.." + MAX_TIMEOUT_MS + ", got " + ms);
    }
    return ms;
  }
}
