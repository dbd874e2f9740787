package dev.faultbox.spi;

/**
 * What {@link ProtocolFactory#prepare} made of a definition: opaque to the kernel, which hands it
 * back to {@link ProtocolFactory#start}. Immutable and safe to start many times.
 */
public interface PreparedMock {
  /** The definition it was made from. */
  MockDefinition definition();

  /** A prepared mock that is just its definition, for protocols with nothing to precompute. */
  static PreparedMock of(MockDefinition definition) {
    return () -> definition;
  }
}
