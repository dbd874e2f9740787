package dev.faultbox.spi;

import java.util.Map;

/**
 * Everything about one protocol that the kernel must not know, for {@code interface(name,
 * protocol, port)}: how its listener binds, whether {@code tls=True} applies, which fault rules it
 * honours, how a mock's {@code routes=} and {@code config=} are read ({@link #prepare}), how it
 * serves ({@link #start}) and which steps a test may call on it. Thread-safe.
 */
public interface ProtocolFactory {

  /** What a listener binds: a stream (TCP) port or a datagram (UDP) port. */
  enum Transport { STREAM, DATAGRAM }

  /** The protocol name used in specs, e.g. {@code http}. */
  String name();

  /**
   * The scheme clients write in an interface's URL, {@code http} or {@code rediss}: the protocol's
   * name unless it says otherwise.
   */
  default String urlScheme(boolean tls) {
    return name();
  }

  /**
   * The transport the protocol listens on. Two interfaces on one transport and port cannot both
   * bind, so the kernel refuses them when the spec loads.
   */
  default Transport transport() {
    return Transport.STREAM;
  }

  /**
   * Whether the protocol serves TLS. When false, {@code tls=True} is ignored for its mocks and
   * {@link MockContext#tls()} is empty.
   */
  default boolean supportsTls() {
    return false;
  }

  /** The fault matchers and statuses the protocol honours, which the kernel checks rules against. */
  default FaultModel faultModel() {
    return FaultModel.NONE;
  }

  /**
   * Validates a definition and precomputes what serving it needs (compiled routes, encoded
   * replies), once, when the spec loads, so a bad route or config fails {@code faultbox check} and
   * {@link #start} does no work twice. Called off any event loop.
   *
   * @throws InvalidMockException with a one-line, user-facing reason; the kernel adds the spec location
   */
  PreparedMock prepare(MockDefinition definition) throws InvalidMockException;

  /**
   * Starts serving what {@link #prepare} returned (the kernel passes back that very object).
   * Returns once the listener is bound and accepting. Called off any event loop; may be called
   * several times for one prepared mock (once per test).
   *
   * @throws java.net.BindException when the port is taken (the kernel names service and port)
   */
  MockServer start(PreparedMock prepared, MockContext context) throws Exception;

  /** Step methods a test may call on an interface of this protocol, by name. */
  default Map<String, StepMethod> steps() {
    return Map.of();
  }
}
