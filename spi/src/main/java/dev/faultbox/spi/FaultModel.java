package dev.faultbox.spi;

import java.util.Map;

/**
 * How a protocol takes fault rules: the matchers it honours (a rule with another is refused when
 * the spec loads), and the statuses {@code error(status=)} and {@code response(status=)} may give.
 *
 * @param matchers matcher names, such as {@code path} or {@code method}, and how each compares
 *     with the attribute of the same name in a {@link FaultProbe}
 * @param statusNames status names the protocol accepts besides numbers, e.g. {@code UNAVAILABLE}
 *     for 14; empty when it takes numbers only
 * @param minStatus the lowest status a rule may give
 * @param maxStatus the highest status a rule may give
 * @param errorStatus the status of {@code error()} when the rule gives none
 * @param responseStatus the status of {@code response()} when the rule gives none
 */
public record FaultModel(
    Map<String, Match> matchers,
    Map<String, Integer> statusNames,
    int minStatus,
    int maxStatus,
    int errorStatus,
    int responseStatus) {

  /** How a matcher compares with a probe attribute. */
  public enum Match {
    /** A glob: {@code *} any run of characters, {@code ?} one. */
    GLOB,
    /** A glob that ignores case, for names such as HTTP methods ({@code get} matches {@code GET}). */
    GLOB_IGNORING_CASE,
    /** The attribute starts with the matcher's text, as written. */
    PREFIX
  }

  /** A protocol that honours no matchers: only rules without any apply, to every request. */
  public static final FaultModel NONE = new FaultModel(Map.of(), Map.of(), 0, 0, 0, 0);

  public FaultModel {
    matchers = Map.copyOf(matchers);
    statusNames = Map.copyOf(statusNames);
  }
}
