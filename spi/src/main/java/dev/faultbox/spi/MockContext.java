package dev.faultbox.spi;

import java.net.InetAddress;
import org.slf4j.Logger;

/** What the kernel lends a running mock. Implemented by the kernel; thread-safe. */
public interface MockContext {

  /** Where handled requests are recorded. */
  EventSink events();

  /** Fault rules in force for this interface. */
  FaultGate faults();

  /** The address to bind, 127.0.0.1 unless the user chose another. */
  InetAddress bindAddress();

  /** A logger named after the mock. */
  Logger logger();
}
