package dev.faultbox.plugin.redis;

import dev.faultbox.plugin.support.EventLoops;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StarlarkLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

/**
 * The {@code redis} plugin: a Redis server mock ({@code interface("main", "redis", 6379)}) on a
 * seeded keyspace with real TTLs, one event per command, fault rules matching {@code command=}
 * and {@code key=}, its steps, and the {@code @faultbox/} files {@code mocks/redis.star} and
 * {@code recipes/redis.star}.
 */
public final class RedisProtocol implements MockProtocol {

  private final List<ProtocolFactory> protocols = List.of(new RedisFactory());

  @Override
  public int spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public String id() {
    return "redis";
  }

  @Override
  public List<ProtocolFactory> protocols() {
    return protocols;
  }

  @Override
  public List<StarlarkLibrary> libraries() {
    return Libraries.ALL;
  }

  /** Stops the event loops the mocks ran on, so no thread of the plugin outlives the run. */
  @Override
  public void close() {
    EventLoops.shutdown();
  }

  /** Read on first use, once. */
  private static final class Libraries {
    static final List<StarlarkLibrary> ALL =
        Stream.of("mocks/redis.star", "recipes/redis.star").map(Libraries::read).toList();

    private static StarlarkLibrary read(String path) {
      String resource = "star/" + path;
      try (InputStream in = RedisProtocol.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("the redis plugin jar lacks " + resource);
        }
        return StarlarkLibrary.of(path, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + resource, e);
      }
    }
  }
}
