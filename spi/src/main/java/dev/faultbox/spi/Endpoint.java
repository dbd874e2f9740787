package dev.faultbox.spi;

/**
 * Where a step goes: an interface of a declared service.
 *
 * @param service the service name
 * @param iface the interface name
 * @param protocol the interface's protocol
 * @param host the host to dial, e.g. 127.0.0.1
 * @param port the port to dial
 */
public record Endpoint(String service, String iface, String protocol, String host, int port) {}
