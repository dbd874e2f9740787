package dev.faultbox.kernel;

/**
 * A problem in a spec that the user must fix: a syntax error, a bad argument, an unknown
 * protocol. Its message is one line, {@code file:line:col: reason}, and never a stack trace.
 */
public final class SpecException extends Exception {
  private final String location;
  private final String reason;

  /** @param location {@code file:line:col}, or null when the problem has no place in a file */
  public SpecException(String location, String reason) {
    super(location == null ? reason : location + ": " + reason);
    this.location = location;
    this.reason = reason;
  }

  /** {@code file:line:col}, or null. */
  public String location() {
    return location;
  }

  /** The message without its location. */
  public String reason() {
    return reason;
  }
}
