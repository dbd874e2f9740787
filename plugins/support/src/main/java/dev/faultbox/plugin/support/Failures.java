package dev.faultbox.plugin.support;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Failures as the one-line texts events and step errors carry. */
public final class Failures {
  private Failures() {}

  /** {@code t}'s message on one line, or its class's simple name when it has none. */
  public static String oneLine(Throwable t) {
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      message = t.getClass().getSimpleName();
    }
    return message.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
  }

  /** {@link #oneLine} of the failure inside any completion or execution wrapping. */
  public static String messageOf(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return oneLine(t);
  }
}
