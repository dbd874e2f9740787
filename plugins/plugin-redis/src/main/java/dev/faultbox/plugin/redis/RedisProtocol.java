package dev.faultbox.plugin.redis;

import dev.faultbox.plugin.support.EventLoops;
import dev.faultbox.plugin.support.StarFiles;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StarlarkLibrary;
import java.util.List;
import java.util.stream.Stream;

/**
 * The {@code redis} plugin: a Redis server mock ({@code interface("main", "redis", 6379)}) on a
 * seeded keyspace with real TTLs, one event per command, fault rules matching {@code command=}
 * and {@code key=}, its steps, and the {@code @faultbox/} files {@code mocks/redis.star} and
 * {@code recipes/redis.star}.
 */
public final class RedisProtocol implements MockProtocol {

  private List<ProtocolFactory> protocols; // made when a spec first uses the protocol

  @Override
  public int spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public String id() {
    return "redis";
  }

  @Override
  public List<String> protocolNames() {
    return List.of(RedisFactory.NAME);
  }

  @Override
  public synchronized List<ProtocolFactory> protocols() {
    if (protocols == null) {
      protocols = List.of(new RedisFactory());
    }
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

  /** Read on first use, once: the kernel asks for libraries more than once per run. */
  private static final class Libraries {
    static final List<StarlarkLibrary> ALL =
        Stream.of("mocks/redis.star", "recipes/redis.star")
            .map(path -> StarFiles.library(RedisProtocol.class, path))
            .toList();
  }
}
