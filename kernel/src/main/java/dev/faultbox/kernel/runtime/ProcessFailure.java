package dev.faultbox.kernel.runtime;

/** A service program that would not start or become healthy: the test fails with this reason. */
public final class ProcessFailure extends Exception {
  public ProcessFailure(String message) {
    super(message, null, false, false);
  }
}
