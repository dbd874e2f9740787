package dev.faultbox.examples.memcached;

import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StarlarkLibrary;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code memcached} plugin: a mock of the memcached text protocol over an in-memory store
 * seeded from the spec, with {@code @faultbox/mocks/memcached.star} and
 * {@code @faultbox/recipes/memcached.star}. Its mocks share one event loop, made on the threads
 * the kernel lends and stopped in {@link #close()}.
 */
public final class MemcachedPlugin implements MockProtocol {

  private final List<ProtocolFactory> protocols = List.of(new MemcachedFactory(this::loops));
  private EventLoopGroup loops; // guarded by this

  @Override
  public int spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public String id() {
    return "memcached";
  }

  @Override
  public List<ProtocolFactory> protocols() {
    return protocols;
  }

  @Override
  public List<StarlarkLibrary> libraries() {
    return Libraries.ALL;
  }

  /** The event loop, made on first use: one thread serves every connection of a test's few mocks. */
  private synchronized EventLoopGroup loops(MockContext context) {
    if (loops == null) {
      loops = new NioEventLoopGroup(1, context.threads());
    }
    return loops;
  }

  @Override
  public synchronized void close() {
    if (loops != null) {
      // The kernel closed every server already: no quiet period to wait out. (Netty announces the
      // group's end on its GlobalEventExecutor, a daemon thread that ends itself a second later.)
      loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
      loops = null;
    }
  }

  /** Read once: the kernel asks for libraries more than once per run. */
  private static final class Libraries {
    static final List<StarlarkLibrary> ALL = List.of(read("mocks/memcached.star"), read("recipes/memcached.star"));

    private static StarlarkLibrary read(String path) {
      // Relative to this package, so another plugin's file of the same name cannot stand in for it.
      String resource = "star/" + path;
      try (InputStream in = MemcachedPlugin.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("the memcached plugin jar lacks " + resource);
        }
        return StarlarkLibrary.of(path, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + resource, e);
      }
    }
  }
}
