package dev.faultbox.spi;

import java.net.InetAddress;
import java.util.Optional;
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

  /** The key and certificates to serve TLS with; present when the mock was declared {@code tls=True}. */
  default Optional<TlsIdentity> tls() {
    return Optional.empty();
  }
}
