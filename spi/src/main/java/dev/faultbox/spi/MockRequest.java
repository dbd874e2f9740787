package dev.faultbox.spi;

import java.util.Map;

/**
 * A request as a dynamic handler sees it, in protocol-neutral terms. Protocols without a notion
 * leave it empty: a TCP line has an empty method and path and the line as its body.
 *
 * @param method request method ({@code GET}), empty where none
 * @param path request path without query, or the gRPC full method
 * @param headers first value per header
 * @param query first value per query parameter
 * @param body raw body bytes
 * @param extras protocol extras (plain Java values as in {@link MockDefinition#config()})
 */
public record MockRequest(
    String method,
    String path,
    Map<String, String> headers,
    Map<String, String> query,
    byte[] body,
    Map<String, Object> extras) {

  /** A request that is only a body, as for line and datagram protocols. */
  public static MockRequest ofBody(byte[] body) {
    return new MockRequest("", "", Map.of(), Map.of(), body, Map.of());
  }
}
