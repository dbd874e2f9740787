package dev.faultbox.testkit.reliability;

/**
 * How big each part of the reliability suite is. The defaults are what CI runs (the whole suite
 * in a few minutes on 2 cores); a system property makes a longer soak, e.g.
 * {@code mvn verify -Dfaultbox.reliability.fuzz.inputs=500000}.
 */
public final class Sizes {

  /** Generated inputs per protocol fuzzed. */
  public static final String FUZZ_INPUTS = "faultbox.reliability.fuzz.inputs";
  /** A valid request is probed after every this many inputs. */
  public static final String PROBE_EVERY = "faultbox.reliability.fuzz.probe.every";
  /** The fuzzer's seed; unset, a fresh one per property (printed on failure). */
  public static final String SEED = "faultbox.reliability.seed";
  /** Idle connections held open at once. */
  public static final String IDLE_CONNECTIONS = "faultbox.reliability.idle.connections";
  /** Requests of each accounting run. */
  public static final String REQUESTS = "faultbox.reliability.requests";

  private Sizes() {}

  public static int fuzzInputs() {
    return positive(FUZZ_INPUTS, 20_000);
  }

  public static int probeEvery() {
    return positive(PROBE_EVERY, 1_000);
  }

  public static int idleConnections() {
    return positive(IDLE_CONNECTIONS, 10_000);
  }

  public static int requests() {
    return positive(REQUESTS, 100_000);
  }

  private static int positive(String property, int byDefault) {
    String value = System.getProperty(property, "").trim();
    if (value.isEmpty()) {
      return byDefault;
    }
    int n;
    try {
      n = Integer.parseInt(value.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + property + "=" + value + " is not a whole number");
    }
    if (n <= 0) {
      throw new IllegalArgumentException("-D" + property + "=" + value + " must be positive");
    }
    return n;
  }
}
