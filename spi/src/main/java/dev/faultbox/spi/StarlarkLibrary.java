package dev.faultbox.spi;

/**
 * A Starlark file shipped by a plugin.
 *
 * @param path where it loads from, relative to {@code @faultbox/}, e.g. {@code mocks/nats.star}
 * @param source its text
 */
public record StarlarkLibrary(String path, String source) {}
