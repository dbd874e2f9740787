package dev.faultbox.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Where library logging goes, set once per JVM. java.util.logging, which only the libraries
 * plugins build on use (Faultbox itself logs through slf4j), is routed into slf4j, whose level the
 * front-end sets; and what those libraries report below SEVERE (a peer's malformed frames, a
 * dropped connection, each with a stack trace) comes out at debug: a mock answers bad input with a
 * protocol error and an event, so the console need not carry it too.
 */
public final class Logging {

  private static final AtomicBoolean INSTALLED = new AtomicBoolean();

  private Logging() {}

  /** Replaces the root JUL handlers with the slf4j bridge; later calls do nothing. Thread-safe. */
  public static void install() {
    if (!INSTALLED.compareAndSet(false, true)) {
      return;
    }
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    Logger.getLogger("").addHandler(new Bridge());
  }

  private static final class Bridge extends SLF4JBridgeHandler {
    @Override
    public void publish(LogRecord record) {
      if (record != null && record.getLevel().intValue() < Level.SEVERE.intValue()) {
        record.setLevel(Level.FINE);
      }
      super.publish(record);
    }
  }
}
