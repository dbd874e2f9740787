package dev.faultbox.kernel.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.kernel.FakeProtocol;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.MockServer;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
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
    public Set<String> protocols() {
      return Set.of("future");
    }

    @Override
    public MockServer start(MockDefinition d, MockContext c) {
      throw new UnsupportedOperationException();
    }
  }

  /** A plugin whose constructor fails. */
  public static final class Exploding implements MockProtocol {
    public Exploding() {
      throw new IllegalStateException("no config");
    }

    @Override
    public int spiVersion() {
      return 1;
    }

    @Override
    public String id() {
      return "boom";
    }

    @Override
    public Set<String> protocols() {
      return Set.of("boom");
    }

    @Override
    public MockServer start(MockDefinition d, MockContext c) {
      throw new UnsupportedOperationException();
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
        FakeProtocol.class.getName()) + "\n");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      PluginRegistry r = PluginRegistry.load(loader);
      assertThat(r.protocols()).containsExactly("fake");
      assertThat(r.find("fake")).isPresent();
      assertThat(r.find("future")).isEmpty();
      assertThat(r.skipped()).extracting(PluginRegistry.Skipped::name).containsExactlyInAnyOrder(
          FromTheFuture.class.getName(), "com.example.DoesNotExist", Exploding.class.getName());
      assertThat(r.skipped()).filteredOn(s -> s.name().equals(FromTheFuture.class.getName()))
          .extracting(PluginRegistry.Skipped::reason)
          .containsExactly("built for SPI version 99, this Faultbox speaks 1");
      assertThat(r.skipped()).filteredOn(s -> s.name().equals(Exploding.class.getName()))
          .extracting(PluginRegistry.Skipped::reason)
          .allMatch(reason -> reason.contains("no config"));
    }
  }
}
