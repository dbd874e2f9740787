package dev.faultbox.spi;

import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;

/**
 * What the kernel lends a running mock. Implemented by the kernel; thread-safe; never null, and
 * none of its methods returns null. The threads it lends are the only ones a plugin needs: it
 * builds no executor or event-loop group on threads of its own making.
 */
public interface MockContext {

  /** Where handled requests are recorded. */
  EventSink events();

  /** Fault rules in force for this interface. */
  FaultGate faults();

  /** The address to bind, 127.0.0.1 unless the user chose another. */
  InetAddress bindAddress();

  /** A logger named after the mock. */
  Logger logger();

  /**
   * Makes the plugin's threads (event loops, I/O): daemon threads named {@code faultbox-<plugin>-N}.
   * The plugin stops what it built on them in {@link MockProtocol#close()}.
   */
  ThreadFactory threads();

  /**
   * A scheduler shared by every mock of the run, for timers such as a fault's delay. Its tasks
   * must be short and never block; the kernel shuts it down when the run ends.
   */
  ScheduledExecutorService scheduler();

  /** The key and certificates to serve TLS with; present when the mock was declared {@code tls=True}. */
  default Optional<TlsIdentity> tls() {
    return Optional.empty();
  }
}
