package dev.faultbox.spi;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What the fault engine wants done with one request: wait {@code delay}, then {@code action}.
 * A plugin renders {@link Action#ERROR} and {@link Action#RESPOND} in its own protocol (HTTP
 * status and body, gRPC code and message, a TCP line) and records {@code fault} on the request's
 * event.
 *
 * @param action what to do after the delay
 * @param delay how long to hold the request first; zero for none
 * @param status the status or code to answer with, for {@link Action#RESPOND}
 * @param message the body or message to answer with, for {@link Action#RESPOND}
 * @param fault the name of the fault that decided, empty when none did
 * @param options the rule's protocol options ({@link FaultModel#options()}), by name: an
 *     {@code Integer} for a {@link FaultModel.RuleOption.Type#COUNT}, a {@code Boolean} for a
 *     {@link FaultModel.RuleOption.Type#FLAG}; only those the rule gave
 */
public record FaultDecision(
    Action action, Duration delay, int status, String message, Optional<String> fault, Map<String, Object> options) {

  /** None of the components is null, so plugins need not guard. */
  public FaultDecision {
    java.util.Objects.requireNonNull(action, "action");
    java.util.Objects.requireNonNull(delay, "delay");
    java.util.Objects.requireNonNull(message, "message");
    java.util.Objects.requireNonNull(fault, "fault");
    options = Map.copyOf(options);
  }

  /** A decision without protocol options. */
  public FaultDecision(Action action, Duration delay, int status, String message, Optional<String> fault) {
    this(action, delay, status, message, fault, Map.of());
  }

  /** The COUNT option {@code name} the rule gave, else {@code fallback}. */
  public int count(String name, int fallback) {
    return options.get(name) instanceof Integer n ? n : fallback;
  }

  /** Whether the rule gave the FLAG option {@code name} as True. */
  public boolean flag(String name) {
    return Boolean.TRUE.equals(options.get(name));
  }

  public enum Action {
    /** Serve the request normally. */
    PASS,
    /** Answer with {@code status} and {@code message} as the reply body, instead of serving. */
    RESPOND,
    /**
     * Fail the request the protocol's way instead of serving: HTTP {@code status} with
     * {@code {"error": message}}, gRPC status {@code status} with {@code message}, a TCP or UDP
     * reply of {@code message}.
     */
    ERROR,
    /** Close the connection, or drop the datagram, without answering. */
    DROP,
    /**
     * Reset the request's stream without answering and keep the connection (HTTP/2
     * RST_STREAM); a protocol without streams treats it as {@link #DROP}.
     */
    RESET,
    /** Serve the request twice (message protocols). */
    DUPLICATE
  }

  public static final FaultDecision PASS =
      new FaultDecision(Action.PASS, Duration.ZERO, 0, "", Optional.empty());

  public boolean isPass() {
    return action == Action.PASS && delay.isZero();
  }
}
