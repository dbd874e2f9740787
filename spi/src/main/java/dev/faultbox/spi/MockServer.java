package dev.faultbox.spi;

import java.net.InetSocketAddress;

/** A running mock interface. */
public interface MockServer extends AutoCloseable {

  /** The bound address. */
  InetSocketAddress address();

  /**
   * Stops serving and releases the port at once, so the next test can bind it again.
   * Idempotent; in-flight connections are closed.
   */
  @Override
  void close();
}
