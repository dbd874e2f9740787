package dev.faultbox.junit;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.plugin.PluginRegistry;
import dev.faultbox.kernel.spec.SpecSession;
import dev.faultbox.kernel.spec.Stdlib;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Faultbox from Java: {@code try (Topology deps = Faultbox.load(Path.of("deps.star")).start())}.
 * The protocols are the plugins on the class path (the built-in ones come with this module).
 */
public final class Faultbox {
  private Faultbox() {}

  /** Loads a spec, starting nothing; {@link Topology#start()} starts its services. */
  public static Topology load(Path spec) {
    return load(spec, System.out);
  }

  /** Loads a spec whose {@code print()} goes to {@code out}. */
  public static Topology load(Path spec, PrintStream out) {
    return new Topology(session(spec, out));
  }

  static SpecSession session(Path spec, PrintStream out) {
    quietNetty();
    Path file = resolve(spec.toString());
    ClassLoader loader = Faultbox.class.getClassLoader();
    PluginRegistry plugins = PluginRegistry.load(loader);
    try {
      return SpecSession.load(file, spec.toString(), plugins, Stdlib.load(loader, plugins.libraries()),
          SpecSession.Options.defaults(out));
    } catch (SpecException e) {
      plugins.close();
      throw new FaultboxException(e.getMessage());
    }
  }

  /**
   * A spec path as a test names it: relative to the working directory (a Maven module's), or
   * failing that a class path resource ({@code deps.star} for {@code src/test/resources/deps.star}).
   */
  static Path resolve(String spec) {
    Path p = Path.of(spec);
    if (Files.isRegularFile(p)) {
      return p;
    }
    URL resource = Thread.currentThread().getContextClassLoader().getResource(spec.replace('\\', '/'));
    if (resource != null && "file".equals(resource.getProtocol())) {
      try {
        return Path.of(resource.toURI());
      } catch (URISyntaxException ignored) {
        // reported below
      }
    }
    throw new FaultboxException("spec " + spec + " not found (looked in " + Path.of("").toAbsolutePath()
        + " and on the class path)");
  }

  /** Netty warns when the host has no network card to derive ids from; a random id serves as well. */
  private static void quietNetty() {
    if (System.getProperty("io.netty.machineId") == null) {
      byte[] id = new byte[8];
      new java.security.SecureRandom().nextBytes(id);
      System.setProperty("io.netty.machineId", java.util.HexFormat.ofDelimiter(":").formatHex(id));
    }
  }
}
