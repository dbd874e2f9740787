package dev.faultbox.junit;

/**
 * A spec that will not load or services that will not start, with the spec's own
 * {@code file:line:col} in the message. It carries no Java stack: the place that matters is in
 * the spec.
 */
public final class FaultboxException extends RuntimeException {
  public FaultboxException(String message) {
    super(message, null, false, false);
  }
}
