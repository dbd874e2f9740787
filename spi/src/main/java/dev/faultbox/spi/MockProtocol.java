package dev.faultbox.spi;

import java.util.List;

/**
 * A protocol plugin: the {@link java.util.ServiceLoader} entry point, listed in
 * {@code META-INF/services/dev.faultbox.spi.MockProtocol}. It yields one {@link ProtocolFactory}
 * per protocol it serves, ships its Starlark libraries, and releases what its mocks shared when the
 * run ends. Implementations need a public no-argument constructor and must be thread-safe; one
 * instance serves every mock of its protocols for the whole run.
 */
public interface MockProtocol extends AutoCloseable {

  /** The SPI version compiled against: implement as {@code return SpiVersion.CURRENT;}. */
  int spiVersion();

  /** A short stable name for the plugin, e.g. {@code udp-tcp}; also its directory in {@code plugins/}. */
  String id();

  /** The protocols served, one factory each, e.g. {@code tcp} and {@code udp}. */
  List<ProtocolFactory> protocols();

  /**
   * The names of {@link #protocols()}, without making the factories. The kernel calls
   * {@code protocols()} only once a spec uses one of them, so a plugin that overrides this with
   * its names (and makes its factories on first call) costs a run that uses none of them only its
   * discovery. Must list exactly the factories' names.
   */
  default List<String> protocolNames() {
    return protocols().stream().map(ProtocolFactory::name).toList();
  }

  /**
   * The plugin's Starlark files: constructors ({@code @faultbox/mocks/<p>.star}), recipes
   * ({@code @faultbox/recipes/<p>.star}) and preludes, whose names every spec sees without a load.
   */
  default List<StarlarkLibrary> libraries() {
    return List.of();
  }

  /**
   * Called once when the run ends, after every server of the plugin closed: stops the event loops,
   * executors and clients its mocks and steps shared, so no thread of the plugin outlives the run.
   * Idempotent; must not throw.
   */
  @Override
  default void close() {}
}
