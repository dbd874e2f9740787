package dev.faultbox.kernel.event;

import dev.faultbox.spi.EventSink;
import java.util.Map;

/** Where a run's events go: mock events from plugins, and the kernel's own (process output, faults). */
public interface Recorder extends EventSink {
  void record(String service, String iface, String kind, String type, String op, Map<String, ?> fields);
}
