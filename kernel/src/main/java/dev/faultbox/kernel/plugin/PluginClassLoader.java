package dev.faultbox.kernel.plugin;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The class loader of one plugin directory ({@code plugins/<id>/}): the JDK first, then the host's
 * SPI and slf4j (the only types a plugin shares with the kernel), then the plugin's own jars, so
 * two plugins may carry different versions of one library and the core's libraries stay out of
 * their way.
 */
final class PluginClassLoader extends URLClassLoader {
  private static final List<String> SHARED = List.of("dev.faultbox.spi.", "org.slf4j.");

  static {
    registerAsParallelCapable();
  }

  private final ClassLoader host;

  private PluginClassLoader(String name, URL[] jars, ClassLoader host) {
    super(name, jars, ClassLoader.getPlatformClassLoader());
    this.host = host;
  }

  /** A loader over every jar in {@code directory}. */
  static PluginClassLoader of(Path directory, ClassLoader host) throws IOException {
    List<URL> jars = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path jar : files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList()) {
        jars.add(jar.toUri().toURL());
      }
    }
    return new PluginClassLoader("plugin " + directory.getFileName(), jars.toArray(URL[]::new), host);
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    for (String prefix : SHARED) {
      if (name.startsWith(prefix)) {
        return host.loadClass(name);
      }
    }
    return super.loadClass(name, resolve); // the platform (JDK) loader, then this plugin's jars
  }
}
