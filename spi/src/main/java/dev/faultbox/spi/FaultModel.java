package dev.faultbox.spi;

import java.util.Map;
import java.util.Set;

/**
 * How a protocol takes fault rules: the matchers it honours (a rule with another is refused when
 * the spec loads), the statuses {@code error(status=)} and {@code response(status=)} may give, and
 * the rule keywords of its own it honours.
 *
 * @param matchers matcher names, such as {@code path} or {@code method}, and how each compares
 *     with the attribute of the same name in a {@link FaultProbe}
 * @param statusNames status names the protocol accepts besides numbers, e.g. {@code UNAVAILABLE}
 *     for 14; empty when it takes numbers only
 * @param minStatus the lowest status a rule may give
 * @param maxStatus the highest status a rule may give
 * @param errorStatus the status of {@code error()} when the rule gives none
 * @param responseStatus the status of {@code response()} when the rule gives none
 * @param options rule keywords the protocol honours besides matchers, by name, such as gRPC's
 *     {@code error(method = ..., after = 3)}: handed to the plugin in {@link FaultDecision#options()}
 */
public record FaultModel(
    Map<String, Match> matchers,
    Map<String, Integer> statusNames,
    int minStatus,
    int maxStatus,
    int errorStatus,
    int responseStatus,
    Map<String, RuleOption> options) {

  /**
   * A protocol's own rule keyword: what it takes and which rules take it.
   *
   * @param type the value it takes
   * @param rules the rule functions that take it: {@code error}, {@code response}, {@code delay}, {@code drop}
   * @param doc what it does, in a few words, for error messages
   */
  public record RuleOption(Type type, Set<String> rules, String doc) {
    public enum Type {
      /** A whole number, 0 or more. */
      COUNT,
      /** True or False. */
      FLAG
    }

    /** The rule functions there are. */
    public static final Set<String> RULES = Set.of("error", "response", "delay", "drop");

    public RuleOption {
      rules = Set.copyOf(rules);
      for (String rule : rules) {
        if (!RULES.contains(rule)) {
          throw new IllegalArgumentException("no rule is called " + rule + "(); rules are error, response, delay, drop");
        }
      }
    }
  }

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
    options = Map.copyOf(options);
  }

  /** A model whose rules take no options of the protocol's own. */
  public FaultModel(Map<String, Match> matchers, Map<String, Integer> statusNames, int minStatus, int maxStatus,
      int errorStatus, int responseStatus) {
    this(matchers, statusNames, minStatus, maxStatus, errorStatus, responseStatus, Map.of());
  }

  /** This model, whose rules also take {@code options}. */
  public FaultModel withOptions(Map<String, RuleOption> options) {
    return new FaultModel(matchers, statusNames, minStatus, maxStatus, errorStatus, responseStatus, options);
  }
}
