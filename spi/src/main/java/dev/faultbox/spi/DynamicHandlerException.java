package dev.faultbox.spi;

/**
 * A dynamic handler failed: it raised, ran out of steps, or returned something that is not a
 * response. The message says so in one line, with the spec location; plugins answer the request
 * with their protocol's error and record it on the event.
 */
public class DynamicHandlerException extends RuntimeException {
  public DynamicHandlerException(String message) {
    super(message, null, false, false);
  }
}
