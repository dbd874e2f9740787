package dev.faultbox.kernel.spec;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Starlark;

/**
 * Go-style duration strings: {@code "5s"}, {@code "200ms"}, {@code "1m30s"}, {@code "1.5s"}. Every
 * duration in a spec or on the command line is read here, with one range: up to {@link #MAX}.
 */
public final class Durations {
  /** The longest duration accepted anywhere: longer is a typo, not a test. */
  public static final Duration MAX = Duration.ofHours(24);

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private Durations() {}

  public static Duration parse(Object value, String what) throws EvalException {
    if (!(value instanceof String text) || text.isEmpty()) {
      throw Starlark.errorf("%s must be a duration such as \"5s\" or \"200ms\", got %s", what, Starlark.repr(value));
    }
    Matcher m = PART.matcher(text);
    double nanos = 0;
    int at = 0;
    while (at < text.length() && m.find(at) && m.start() == at) {
      nanos += Double.parseDouble(m.group(1)) * unitNanos(m.group(2));
      at = m.end();
    }
    if (at != text.length()) {
      throw Starlark.errorf("%s: cannot read %s as a duration; write it like \"5s\", \"200ms\" or \"1m30s\"", what, Starlark.repr(text));
    }
    if (nanos > MAX.toNanos()) {
      throw Starlark.errorf("%s: %s is longer than the limit of %s", what, Starlark.repr(text), format(MAX));
    }
    return Duration.ofNanos((long) nanos);
  }

  private static double unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1;
      case "us", "µs" -> 1e3;
      case "ms" -> 1e6;
      case "s" -> 1e9;
      case "m" -> 60e9;
      default -> 3600e9;
    };
  }

  /** Renders a duration the way users write one. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms > 0 && ms % 3_600_000 == 0) {
      return (ms / 3_600_000) + "h";
    }
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }
}
