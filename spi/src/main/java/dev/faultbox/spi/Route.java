package dev.faultbox.spi;

/**
 * One entry of a mock's {@code routes} dict. The pattern's meaning belongs to the protocol
 * ({@code "GET /users/*"} for HTTP, a byte prefix for TCP); plugins compile it once, at start.
 */
public record Route(String pattern, MockResponse response) {}
