package dev.faultbox.kernel.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.kernel.FakeProtocol;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.SpiVersion;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginRegistryTest {

  /** A plugin compiled against a future SPI. */
  public static final class FromTheFuture implements MockProtocol {
    @Override
    public int spiVersion() {
      return 99;
    }

    @Override
    public String id() {
      return "future";
    }

    @Override
    public List<ProtocolFactory> protocols() {
      throw new AssertionError("a plugin of another SPI version is not asked for its protocols");
    }
  }

  /** A plugin whose constructor fails. */
  public static final class Exploding implements MockProtocol {
    public Exploding() {
      throw new IllegalStateException("no config");
    }

    @Override
    public int spiVersion() {
      return SpiVersion.CURRENT;
    }

    @Override
    public String id() {
      return "boom";
    }

    @Override
    public List<ProtocolFactory> protocols() {
      return List.of();
    }
  }

  /** A second plugin claiming the protocol FakeProtocol serves. */
  public static final class Rival implements MockProtocol {
    @Override
    public int spiVersion() {
      return SpiVersion.CURRENT;
    }

    @Override
    public String id() {
      return "rival";
    }

    @Override
    public List<ProtocolFactory> protocols() {
      return List.of(new FakeProtocol());
    }
  }

  @Test
  void badPluginsAreSkippedByNameAndTheRestLoad(@TempDir Path dir) throws Exception {
    Path services = dir.resolve("META-INF/services/dev.faultbox.spi.MockProtocol");
    Files.createDirectories(services.getParent());
    Files.writeString(services, String.join("\n",
        FromTheFuture.class.getName(),
        "com.example.DoesNotExist",
        Exploding.class.getName(),
        FakeProtocol.class.getName(),
        Rival.class.getName()) + "\n");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      PluginRegistry r = PluginRegistry.load(loader);
      assertThat(r.protocols()).containsExactly("fake");
      assertThat(r.find("fake")).isPresent();
      assertThat(r.find("future")).isEmpty();
      assertThat(r.skipped()).extracting(PluginRegistry.Skipped::name).containsExactlyInAnyOrder(
          FromTheFuture.class.getName(), "com.example.DoesNotExist", Exploding.class.getName());
      assertThat(r.skipped()).filteredOn(s -> s.name().equals(FromTheFuture.class.getName()))
          .extracting(PluginRegistry.Skipped::reason)
          .containsExactly("built for SPI version 99, this Faultbox speaks " + SpiVersion.CURRENT);
      assertThat(r.skipped()).filteredOn(s -> s.name().equals(Exploding.class.getName()))
          .extracting(PluginRegistry.Skipped::reason)
          .allMatch(reason -> reason.contains("no config"));
      assertThat(r.owner(r.find("fake").orElseThrow()).id()).as("the first found keeps the protocol").isEqualTo("fake");
      assertThat(r.warnings()).containsExactly(
          "plugin rival also serves protocol \"fake\", which plugin fake serves already; fake keeps it");
      int closed = FakeProtocol.CLOSED.get();
      r.close();
      r.close();
      assertThat(FakeProtocol.CLOSED.get() - closed).as("closed once, however often the registry is").isEqualTo(1);
    }
  }

  /** Each plugin directory loads in a class loader of its own that shares only the SPI (and the JDK, slf4j). */
  @Test
  void aPluginDirectoryLoadsInItsOwnClassLoader(@TempDir Path dir) throws Exception {
    for (String id : List.of("one", "two")) {
      Path plugin = Files.createDirectories(dir.resolve(id));
      try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(plugin.resolve("fake.jar")))) {
        jar.putNextEntry(new java.util.jar.JarEntry("META-INF/services/dev.faultbox.spi.MockProtocol"));
        jar.write((FakeProtocol.class.getName() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path classes = Path.of(FakeProtocol.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (var files = Files.walk(classes.resolve("dev/faultbox/kernel"), 1)) {
          for (Path c : files.filter(f -> f.getFileName().toString().startsWith("FakeProtocol")).toList()) {
            jar.putNextEntry(new java.util.jar.JarEntry(classes.relativize(c).toString()));
            jar.write(Files.readAllBytes(c));
          }
        }
      }
    }
    Files.writeString(dir.resolve("not-a-plugin.txt"), "ignored");
    try (PluginRegistry r = PluginRegistry.loadDirectory(dir, getClass().getClassLoader())) {
      assertThat(r.plugins()).hasSize(2);
      MockProtocol first = r.plugins().get(0);
      MockProtocol second = r.plugins().get(1);
      assertThat(first.getClass()).as("the plugin's own classes are its own").isNotEqualTo(FakeProtocol.class);
      assertThat(first.getClass().getClassLoader()).isNotSameAs(second.getClass().getClassLoader());
      assertThat(first).as("the SPI is the host's").isInstanceOf(MockProtocol.class);
      assertThat(r.originOf(first)).isEqualTo(dir.resolve("one") + "/");
      assertThat(r.warnings()).containsExactly(
          "plugin fake also serves protocol \"fake\", which plugin fake serves already; fake keeps it");
    }
  }
}
