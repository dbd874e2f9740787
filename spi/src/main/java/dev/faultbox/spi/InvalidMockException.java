package dev.faultbox.spi;

/** A definition a plugin cannot serve; the message is shown to the user after the spec location. */
public class InvalidMockException extends Exception {
  public InvalidMockException(String message) {
    super(message);
  }
}
