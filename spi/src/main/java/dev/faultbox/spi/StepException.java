package dev.faultbox.spi;

/**
 * A step that cannot return a value: a missing or ill-typed argument, or a failure the protocol
 * reports by raising (a TCP {@code send} that cannot connect). The kernel fails the test with this
 * one-line message and the spec location.
 */
public class StepException extends RuntimeException {
  public StepException(String message) {
    super(message, null, false, false);
  }
}
