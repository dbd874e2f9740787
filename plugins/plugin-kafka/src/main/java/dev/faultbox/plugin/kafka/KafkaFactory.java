package dev.faultbox.plugin.kafka;

import dev.faultbox.plugin.support.EventLoops;
import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.plugin.support.StreamServer;
import dev.faultbox.spi.EventSink;
import dev.faultbox.spi.FaultGate;
import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.StepMethod;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.slf4j.Logger;

/** The {@code kafka} protocol: a broker on seeded topics. Immutable. */
final class KafkaFactory implements ProtocolFactory {

  static final String NAME = "kafka";
  /** How often group sessions and rebalance deadlines are checked. */
  static final long SWEEP_MS = 100;

  /** Rules match {@code topic} (a glob); {@code status=} takes a Kafka error code or name. */
  static final FaultModel FAULT_MODEL = new FaultModel(
      Map.of(KafkaAnswers.MATCH_TOPIC, FaultModel.Match.GLOB),
      FaultErrors.NAMES, FaultErrors.MIN_CODE, FaultErrors.MAX_CODE, 0, 0);

  record Prepared(MockDefinition definition, KafkaSettings settings) implements PreparedMock {}

  private final Map<String, StepMethod> steps = KafkaSteps.all();

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
    return false;
  }

  @Override
  public FaultModel faultModel() {
    return FAULT_MODEL;
  }

  @Override
  public Prepared prepare(MockDefinition definition) throws InvalidMockException {
    return new Prepared(definition, KafkaSettings.of(definition));
  }

  @Override
  public MockServer start(PreparedMock prepared, MockContext context) throws Exception {
    if (!(prepared instanceof Prepared mock)) {
      throw new IllegalArgumentException("a kafka mock starts only from what prepare() returned");
    }
    MockDefinition definition = mock.definition();
    KafkaSettings settings = mock.settings();
    EventLoops.group(context.threads());
    List<MockExchange<KafkaRequest, KafkaReply>> exchange = new ArrayList<>(1);
    Broker broker = new Broker(org.apache.kafka.common.Uuid.randomUuid().toString(), settings.autoCreate(),
        settings.partitions(), (op, fields) -> {
          if (!exchange.isEmpty()) { // seeding happens before: seeds are state, not traffic
            exchange.get(0).record(op, fields);
          }
        }, context.scheduler());
    seed(broker, settings);
    KafkaAnswers answers = new KafkaAnswers(definition, new Apis(broker));
    exchange.add(new MockExchange<>(definition, noting(context, answers), answers));
    InetSocketAddress at = new InetSocketAddress(context.bindAddress(), definition.iface().port());
    broker.port = definition.iface().port();
    StreamServer server = StreamServer.start(definition.service() + "." + definition.iface().name(), at, false,
        ch -> KafkaHandler.pipeline(ch, exchange.get(0), broker));
    broker.port = server.address().getPort();
    ScheduledFuture<?> sweep = context.scheduler().scheduleAtFixedRate(broker.groups::sweep, SWEEP_MS, SWEEP_MS,
        TimeUnit.MILLISECONDS);
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

  /** Every seeded topic, its messages at offsets 0..n-1 of their partitions, one batch per partition. */
  private static void seed(Broker broker, KafkaSettings settings) {
    long now = System.currentTimeMillis();
    settings.topics().forEach((name, seed) -> {
      broker.create(name, seed.partitions());
      for (int p = 0; p < seed.partitions(); p++) {
        List<SimpleRecord> records = new ArrayList<>();
        for (KafkaSettings.Message m : seed.messages()) {
          if (m.partition() == p) {
            RecordHeader[] headers = m.headers().entrySet().stream()
                .map(h -> new RecordHeader(h.getKey(), h.getValue())).toArray(RecordHeader[]::new);
            records.add(new SimpleRecord(now, m.key(), m.value(), headers));
          }
        }
        if (!records.isEmpty()) {
          MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, records.toArray(SimpleRecord[]::new));
          ByteBuffer bytes = batch.buffer();
          broker.append(name, p, bytes, false);
        }
      }
    });
  }

  /** The kernel's context, its fault gate noting decisions for {@code answers}. */
  private static MockContext noting(MockContext context, KafkaAnswers answers) {
    FaultGate gate = answers.noting(context::faults);
    return new MockContext() {
      @Override
      public EventSink events() {
        return context.events();
      }

      @Override
      public FaultGate faults() {
        return gate;
      }

      @Override
      public InetAddress bindAddress() {
        return context.bindAddress();
      }

      @Override
      public Logger logger() {
        return context.logger();
      }

      @Override
      public ThreadFactory threads() {
        return context.threads();
      }

      @Override
      public ScheduledExecutorService scheduler() {
        return context.scheduler();
      }

      @Override
      public java.util.Optional<dev.faultbox.spi.TlsIdentity> tls() {
        return context.tls();
      }
    };
  }

  @Override
  public Map<String, StepMethod> steps() {
    return steps;
  }
}
