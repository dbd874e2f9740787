package dev.faultbox.spi;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A protocol plugin: the {@link java.util.ServiceLoader} entry point, listed in
 * {@code META-INF/services/dev.faultbox.spi.MockProtocol}. Implementations must be thread-safe
 * and have a public no-argument constructor; one instance serves every mock of its protocols.
 */
public interface MockProtocol {

  /** The SPI version compiled against: implement as {@code return SpiVersion.CURRENT;}. */
  int spiVersion();

  /** A short stable name for the plugin, e.g. {@code udp-tcp}. */
  String id();

  /** Protocol names accepted in {@code interface(name, protocol, port)}, e.g. {@code tcp}. */
  Set<String> protocols();

  /** What a protocol's listener binds: a stream (TCP) port or a datagram (UDP) port. */
  enum Transport { STREAM, DATAGRAM }

  /**
   * The transport a protocol listens on. Two interfaces on one transport and port cannot both
   * bind, so the kernel refuses them when the spec loads.
   */
  default Transport transport(String protocol) {
    return Transport.STREAM;
  }

  /**
   * Checks a definition when the spec is loaded, so a bad route key or config value fails
   * {@code faultbox check} with the spec's location rather than at request time.
   *
   * @throws InvalidMockException with a one-line, user-facing reason
   */
  default void validate(MockDefinition definition) throws InvalidMockException {}

  /**
   * Starts serving one interface of a mock. Returns only once the listener is bound and
   * accepting, so the mock is ready when this returns. Called off any event loop.
   *
   * @throws java.net.BindException when the port is taken (the kernel names service and port)
   */
  MockServer start(MockDefinition definition, MockContext context) throws Exception;

  /** Step methods a test may call on an interface of this protocol, by name. */
  default Map<String, StepMethod> steps(String protocol) {
    return Map.of();
  }

  /** Extra Starlark files this plugin ships, loadable as {@code @faultbox/<path>}. */
  default List<StarlarkLibrary> libraries() {
    return List.of();
  }
}
