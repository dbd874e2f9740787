package dev.faultbox.plugin.mongodb;

import de.bwaldvogel.mongo.wire.MongoWireMessageEncoder;
import de.bwaldvogel.mongo.wire.MongoWireReplyEncoder;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@code mongodb} protocol: a standalone MongoDB 6.0 on seeded collections. Immutable. */
final class MongoFactory implements ProtocolFactory {

  static final String NAME = "mongodb";

  /**
   * Rules match {@code op} (the command) and {@code collection} (globs); {@code status=} takes a
   * MongoDB error code or its name in any case ({@code DuplicateKey}); error() without one is
   * InternalError (1). The kernel looks names up upper-cased, so the model keeps them so.
   */
  static final FaultModel FAULT_MODEL = new FaultModel(
      Map.of("op", FaultModel.Match.GLOB, MongoAnswers.MATCH_COLLECTION, FaultModel.Match.GLOB), upperCased(Replies.CODES), 1, Integer.MAX_VALUE, 1, 1);

  private static Map<String, Integer> upperCased(Map<String, Integer> codes) {
    Map<String, Integer> upper = new java.util.HashMap<>();
    codes.forEach((name, code) -> upper.put(name.toUpperCase(java.util.Locale.ROOT), code));
    return upper;
  }

  record Prepared(MockDefinition definition, MongoSettings settings) implements PreparedMock {}

  private final Map<String, StepMethod> steps = MongoSteps.all();

  @Override
  public String name() {
    return NAME;
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
    return new Prepared(definition, MongoSettings.of(definition));
  }

  @Override
  public MockServer start(PreparedMock prepared, MockContext context) throws Exception {
    if (!(prepared instanceof Prepared mock)) {
      throw new IllegalArgumentException("a mongodb mock starts only from what prepare() returned");
    }
    MockDefinition definition = mock.definition();
    Optional<ServerTls> tls = ServerTls.of(definition, context);
    SeededBackend backend = new SeededBackend(mock.settings()); // fresh per test: every test starts from the seeds
    MockExchange<WireRequest, Reply> exchange =
        new MockExchange<>(definition, context, new MongoAnswers(definition, backend));
    EventLoops.group(context.threads());
    AtomicInteger connections = new AtomicInteger();
    AtomicInteger replyIds = new AtomicInteger();
    InetSocketAddress at = new InetSocketAddress(context.bindAddress(), definition.iface().port());
    StreamServer server = StreamServer.start(exchange.name(), at, false, ch -> {
      tls.ifPresent(t -> t.addFirst(ch));
      ch.pipeline().addLast("replies", new MongoWireReplyEncoder());
      ch.pipeline().addLast("messages", new MongoWireMessageEncoder());
      ch.pipeline().addLast("decoder", new WireDecoder(connections.incrementAndGet()));
      ch.pipeline().addLast("commands", new MongoHandler(exchange, backend, replyIds));
    });
    return new MockServer() {
      @Override
      public InetSocketAddress address() {
        return server.address();
      }

      @Override
      public void close() {
        StepClients.forget(server.address().getPort()); // while the server still answers their endSessions
        server.close();
        backend.close();
      }
    };
  }

  @Override
  public Map<String, StepMethod> steps() {
    return steps;
  }
}
