package dev.faultbox.plugin.redis;

import dev.faultbox.plugin.support.EventLoops;
import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.plugin.support.ServerTls;
import dev.faultbox.plugin.support.StreamServer;
import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.StepMethod;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** The {@code redis} protocol: a Redis server on a seeded keyspace. Immutable. */
final class RedisFactory implements ProtocolFactory {

  static final String NAME = "redis";
  /** How often expired keys are swept, besides their removal when a command touches them. */
  static final long SWEEP_MS = 100;

  /** Rules match {@code command} (caseless) and {@code key} (the first key), both globs; no statuses. */
  static final FaultModel FAULT_MODEL = new FaultModel(
      Map.of(RedisAnswers.MATCH_COMMAND, FaultModel.Match.GLOB_IGNORING_CASE,
          RedisAnswers.MATCH_KEY, FaultModel.Match.GLOB),
      Map.of(), 0, 0, 0, 0);

  /** What {@link #prepare} made of a definition; every start seeds a fresh keyspace from it. */
  record Prepared(MockDefinition definition, RedisSettings settings) implements PreparedMock {}

  private final Map<String, StepMethod> steps = RedisSteps.all();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String urlScheme(boolean tls) {
    return tls ? "rediss" : "redis";
  }

  @Override
  public Transport transport() {
    return Transport.STREAM;
  }

  @Override
  public boolean supportsTls() {
    return true;
  }

  @Override
  public FaultModel faultModel() {
    return FAULT_MODEL;
  }

  @Override
  public Prepared prepare(MockDefinition definition) throws InvalidMockException {
    return new Prepared(definition, RedisSettings.of(definition));
  }

  @Override
  public MockServer start(PreparedMock prepared, MockContext context) throws Exception {
    if (!(prepared instanceof Prepared mock)) {
      throw new IllegalArgumentException("a redis mock starts only from what prepare() returned");
    }
    MockDefinition definition = mock.definition();
    EventLoops.group(context.threads());
    Keyspace keyspace = mock.settings().seededKeyspace();
    Commands commands = new Commands(keyspace, mock.settings().password());
    MockExchange<Command, Reply> exchange = new MockExchange<>(definition, context, new RedisAnswers(definition, commands));
    boolean needsAuth = mock.settings().password() != null;
    InetSocketAddress at = new InetSocketAddress(context.bindAddress(), definition.iface().port());
    Optional<ServerTls> tls = ServerTls.of(definition, context); // rediss://
    StreamServer server = StreamServer.start(definition.service() + "." + definition.iface().name(), at, false, ch -> {
      tls.ifPresent(t -> t.addFirst(ch));
      RedisHandler.pipeline(ch, exchange, needsAuth, commands.clients);
    });
    ScheduledFuture<?> sweep = context.scheduler().scheduleAtFixedRate(() -> {
      synchronized (keyspace) {
        keyspace.sweep();
      }
    }, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
    return new MockServer() {
      @Override
      public InetSocketAddress address() {
        return server.address();
      }

      @Override
      public void close() {
        sweep.cancel(false);
        server.close();
      }
    };
  }

  @Override
  public Map<String, StepMethod> steps() {
    return steps;
  }
}
