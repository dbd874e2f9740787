package dev.faultbox.kernel;

import dev.faultbox.kernel.plugin.PluginRegistry;
import dev.faultbox.kernel.spec.SpecSession;
import dev.faultbox.kernel.spec.Stdlib;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes specs to a directory and loads them with the fake protocol. */
public final class Specs {
  public final Path dir;
  public final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private Map<String, String> stdlib = Map.of();

  public Specs(Path dir) {
    this.dir = dir;
  }

  public Specs stdlib(Map<String, String> files) {
    this.stdlib = files;
    return this;
  }

  public Path write(String name, String source) {
    try {
      Path p = dir.resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, source);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Loads {@code spec.star} with the given source. */
  public SpecSession load(String source) throws SpecException {
    return loadFile(write("spec.star", source), "spec.star");
  }

  public SpecSession loadFile(Path file, String displayName) throws SpecException {
    return SpecSession.load(file, displayName, PluginRegistry.of(new FakeProtocol()), Stdlib.of(stdlib),
        SpecSession.Options.defaults(new PrintStream(printed, true, StandardCharsets.UTF_8)));
  }

  /** The message a spec fails to load with. */
  public String error(String source) {
    try {
      load(source).close();
    } catch (SpecException e) {
      return e.getMessage();
    }
    throw new AssertionError("spec loaded, but an error was expected");
  }

  /** A port nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
