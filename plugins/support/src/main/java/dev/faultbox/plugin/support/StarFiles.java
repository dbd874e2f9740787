package dev.faultbox.plugin.support;

import dev.faultbox.spi.StarlarkLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A plugin's Starlark files, shipped as resources in a {@code star/} folder beside its
 * {@code MockProtocol} class: relative to that package, so no other plugin's file of the same name
 * can stand in for one.
 */
public final class StarFiles {
  private StarFiles() {}

  /** {@code star/<path>} next to {@code owner}, loadable as {@code @faultbox/<path>}. */
  public static StarlarkLibrary library(Class<?> owner, String path) {
    return new StarlarkLibrary(path, read(owner, path), false);
  }

  /** A prelude: its public names are predeclared in every spec. */
  public static StarlarkLibrary prelude(Class<?> owner, String path) {
    return new StarlarkLibrary(path, read(owner, path), true);
  }

  private static String read(Class<?> owner, String path) {
    String resource = "star/" + path;
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(owner.getName() + "'s jar lacks " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
