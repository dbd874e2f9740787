package dev.faultbox.plugin.support;

import dev.faultbox.spi.StepException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A step call's keyword arguments, read with one-line {@link StepException}s in the spec's terms:
 * {@code send() timeout_ms= must be an int, got str}.
 */
public final class StepArgs {

  /** An hour: a step waiting longer than that is a mistake in the spec. */
  public static final long MAX_TIMEOUT_MS = 3_600_000;

  private final String step;
  private final Map<String, Object> kwargs;

  private StepArgs(String step, Map<String, Object> kwargs) {
    this.step = step;
    this.kwargs = kwargs;
  }

  /** @param step the step's name as the spec calls it, e.g. {@code send} */
  public static StepArgs of(String step, Map<String, Object> kwargs) {
    return new StepArgs(step, kwargs);
  }

  /** Refuses a keyword not in {@code accepted}. */
  public StepArgs only(List<String> accepted) {
    for (String key : kwargs.keySet()) {
      if (!accepted.contains(key)) {
        throw new StepException(
            step + "() has no parameter " + key + "=; accepted: " + String.join(", ", accepted));
      }
    }
    return this;
  }

  /** The value as given, null when absent. */
  public Object get(String key) {
    return kwargs.get(key);
  }

  /** {@code <step>() <key>= <problem>}, to throw. */
  public StepException error(String key, String problem) {
    return new StepException(step + "() " + key + "= " + problem);
  }

  /** A str, null when absent. */
  public String string(String key) {
    Object value = kwargs.get(key);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw error(key, "must be a str, got " + Config.starlarkType(value));
  }

  /** Bytes to send, required: a str as UTF-8, bytes as they are. */
  public byte[] data(String key) {
    Object data = kwargs.get(key);
    if (data == null) {
      throw new StepException(step + "() requires " + key + "=");
    }
    byte[] bytes = bytes(data);
    if (bytes == null) {
      throw error(key, "must be a str, got " + Config.starlarkType(data));
    }
    return bytes;
  }

  /** A str as UTF-8, bytes as a copy; null for any other value. */
  public static byte[] bytes(Object value) {
    if (value instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    if (value instanceof byte[] b) {
      return b.clone();
    }
    return null;
  }

  /** A dict of str to str, in the spec's order; empty when absent. */
  public Map<String, String> stringDict(String key) {
    Object value = kwargs.get(key);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw error(key, "must be a dict of str, got " + Config.starlarkType(value));
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String k) || !(entry.getValue() instanceof String v)) {
        throw error(key, "must be a dict of str, got a " + Config.starlarkType(entry.getKey())
            + " key with a " + Config.starlarkType(entry.getValue()) + " value");
      }
      out.put(k, v);
    }
    return out;
  }

  /** {@code timeout_ms=}, in 1..{@link #MAX_TIMEOUT_MS}; {@code fallback} when absent. */
  public long timeoutMs(long fallback) {
    Object value = kwargs.get("timeout_ms");
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Long || value instanceof Integer)) {
      throw error("timeout_ms", "must be an int, got " + Config.starlarkType(value));
    }
    long ms = ((Number) value).longValue();
    if (ms <= 0 || ms > MAX_TIMEOUT_MS) {
      throw error("timeout_ms", "must be in 1.." + MAX_TIMEOUT_MS + ", got " + ms);
    }
    return ms;
  }
}
