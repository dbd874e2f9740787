package dev.faultbox.spi;

import java.time.Duration;
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
 */
public record FaultDecision(
    Action action, Duration delay, int status, String message, Optional<String> fault) {

  /** None of the components is null, so plugins need not guard. */
  public FaultDecision {
    java.util.Objects.requireNonNull(action, "action");
    java.util.Objects.requireNonNull(delay, "delay");
    java.util.Objects.requireNonNull(message, "message");
    java.util.Objects.requireNonNull(fault, "fault");
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
