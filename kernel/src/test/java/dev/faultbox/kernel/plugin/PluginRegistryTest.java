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
}
