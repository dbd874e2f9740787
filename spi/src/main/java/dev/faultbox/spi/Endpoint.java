package dev.faultbox.spi;

import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Where a step goes: an interface of a declared service.
 *
 * @param service the service name
 * @param iface the interface name
 * @param protocol the interface's protocol
 * @param host the host to dial, e.g. 127.0.0.1
 * @param port the port to dial
 * @param tls whether the interface speaks TLS
 * @param mockCa the run's mock CA, for a TLS interface: steps trust it besides the system's roots
 */
public record Endpoint(
    String service, String iface, String protocol, String host, int port, boolean tls, Optional<X509Certificate> mockCa) {

  /** A plain (non-TLS) endpoint. */
  public static Endpoint plain(String service, String iface, String protocol, String host, int port) {
    return new Endpoint(service, iface, protocol, host, port, false, Optional.empty());
  }
}
