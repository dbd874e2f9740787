package dev.faultbox.spi;

import java.util.Map;

/**
 * A request described so fault rules can match it: its event op and the attributes named by the
 * protocol's {@link FaultModel#matchers()} ({@code path}, {@code method}, {@code prefix}…).
 *
 * @param op the event op the request will be recorded under; rules may match it as {@code op}
 * @param attributes matchable attributes by matcher name; an absent one matches no rule that names it
 */
public record FaultProbe(String op, Map<String, String> attributes) {
  public FaultProbe {
    attributes = Map.copyOf(attributes);
  }
}
