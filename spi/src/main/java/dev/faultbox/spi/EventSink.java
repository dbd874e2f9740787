package dev.faultbox.spi;

/**
 * The run's event log, as a plugin sees it. Thread-safe and cheap: call it from an event loop.
 * Emit each event before the reply leaves the mock, so a client holding its answer already finds
 * the event.
 */
public interface EventSink {
  void emit(MockEvent event);
}
