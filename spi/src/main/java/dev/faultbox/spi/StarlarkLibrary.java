package dev.faultbox.spi;

/**
 * A Starlark file shipped by a plugin.
 *
 * @param path where it loads from, relative to {@code @faultbox/}, e.g. {@code mocks/nats.star}
 * @param source its text
 * @param prelude whether its public top-level names are predeclared in every spec, such as
 *     a protocol's response constructors the reference page uses without a load
 */
public record StarlarkLibrary(String path, String source, boolean prelude) {

  /** A library loaded with {@code load("@faultbox/<path>", ...)}. */
  public static StarlarkLibrary of(String path, String source) {
    return new StarlarkLibrary(path, source, false);
  }
}
