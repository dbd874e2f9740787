package dev.faultbox.examples.memcached;

import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.StepMethod;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/** The {@code memcached} protocol: {@code interface("main", "memcached", 11211)}. Thread-safe. */
final class MemcachedFactory implements ProtocolFactory {

  static final String NAME = "memcached";

  /**
   * Rules match the command ({@code get}, {@code set}...) and the key, as globs. memcached has no
   * statuses: {@code error()} answers {@code SERVER_ERROR <message>}, so a rule gives none.
   */
  static final FaultModel FAULT_MODEL = new FaultModel(
      Map.of("command", FaultModel.Match.GLOB, "key", FaultModel.Match.GLOB), Map.of(), 0, 0, 0, 0);

  private static final List<String> CONFIG_KEYS = List.of("state");

  /** A definition checked, with its seed values in wire form; every start seeds a fresh store from it. */
  record Prepared(MockDefinition definition, Map<String, byte[]> state) implements PreparedMock {}

  private final Function<MockContext, EventLoopGroup> loops;

  /** @param loops the plugin's event loops, made on the first context's threads */
  MemcachedFactory(Function<MockContext, EventLoopGroup> loops) {
    this.loops = loops;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public FaultModel faultModel() {
    return FAULT_MODEL;
  }

  @Override
  public Map<String, StepMethod> steps() {
    return Steps.ALL;
  }

  @Override
  public Prepared prepare(MockDefinition d) throws InvalidMockException {
    if (!d.routes().isEmpty() || d.defaultResponse().isPresent()) {
      throw new InvalidMockException("a memcached mock takes no routes or default; seed its values with config = {\"state\": {...}}");
    }
    for (String key : d.config().keySet()) {
      if (!CONFIG_KEYS.contains(key)) {
        throw new InvalidMockException("memcached mock config has no key \"" + key + "\"; accepted: " + String.join(", ", CONFIG_KEYS));
      }
    }
    Object state = d.config().getOrDefault("state", Map.of());
    if (!(state instanceof Map<?, ?> entries)) {
      throw new InvalidMockException("memcached mock config state must be a dict of key to str, bytes or int, got " + typeOf(state));
    }
    Map<String, byte[]> seed = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : entries.entrySet()) {
      String key = Keys.wire(String.valueOf(e.getKey()));
      String problem = Keys.problem(key);
      if (problem != null) {
        throw new InvalidMockException("memcached mock state key \"" + e.getKey() + "\": " + problem);
      }
      byte[] value = seedValue(e.getValue());
      if (value == null) {
        throw new InvalidMockException("memcached mock state value of \"" + e.getKey() + "\" must be a str, bytes or int, got "
            + typeOf(e.getValue()));
      }
      if (value.length > CommandDecoder.MAX_ITEM_BYTES) {
        throw new InvalidMockException("memcached mock state value of \"" + e.getKey() + "\" is larger than "
            + CommandDecoder.MAX_ITEM_BYTES + " bytes, the item size limit");
      }
      seed.put(key, value);
    }
    return new Prepared(d, java.util.Collections.unmodifiableMap(seed));
  }

  @Override
  public MockServer start(PreparedMock prepared, MockContext context) throws Exception {
    if (!(prepared instanceof Prepared mock)) {
      throw new IllegalArgumentException("a memcached mock starts only from what prepare() returned");
    }
    MockDefinition d = mock.definition();
    Store store = new Store(System::currentTimeMillis);
    mock.state().forEach((key, value) -> store.put(key, value, 0, 0));
    Commands commands = new Commands(store, System::currentTimeMillis);
    EventLoopGroup group = loops.apply(context);
    ChannelGroup open = new DefaultChannelGroup(group.next());
    AtomicBoolean closed = new AtomicBoolean();
    Channel listener = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            open.add(ch);
            if (closed.get()) {
              ch.close(); // accepted as the server closed: the group may have been closed already
              return;
            }
            ch.pipeline().addLast(new CommandDecoder(), new Connection(d, context, commands));
          }
        })
        .bind(new InetSocketAddress(context.bindAddress(), d.iface().port()))
        .sync() // rethrows a BindException as it is
        .channel();
    open.add(listener);
    return new Server((InetSocketAddress) listener.localAddress(), open, closed);
  }

  /** A listening mock; closing it closes its connections too, and returns once the port is free. */
  private record Server(InetSocketAddress address, ChannelGroup open, AtomicBoolean closed) implements MockServer {
    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        open.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        awaitReleased(address);
      }
    }
  }

  /**
   * A NIO listener closed while registered with a selector keeps its socket until the selector
   * next runs, a moment after Netty's close future completes; so this waits (2 s at most) until a
   * socket binds the address, as a next test's listener would.
   */
  private static void awaitReleased(InetSocketAddress address) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < deadline) {
      try (Socket probe = new Socket()) {
        probe.setReuseAddress(true);
        probe.bind(address);
        return;
      } catch (BindException e) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
      } catch (IOException e) {
        return; // not a port conflict: nothing to wait for
      }
    }
  }

  /** A seed value's bytes: a str as UTF-8, bytes as they are, an int in decimal (so incr works on it); else null. */
  private static byte[] seedValue(Object value) {
    if (value instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    if (value instanceof byte[] b) {
      return b.clone();
    }
    if (value instanceof Long || value instanceof Integer) {
      return Long.toString(((Number) value).longValue()).getBytes(StandardCharsets.US_ASCII);
    }
    return null;
  }

  /** A config value's type as the spec wrote it. */
  static String typeOf(Object value) {
    return value instanceof String ? "string" : value instanceof Long || value instanceof Integer ? "int"
        : value instanceof Double ? "float" : value instanceof Boolean ? "bool" : value instanceof byte[] ? "bytes"
        : value instanceof List ? "list" : value instanceof Map ? "dict" : value == null ? "None"
        : value.getClass().getSimpleName();
  }
}
