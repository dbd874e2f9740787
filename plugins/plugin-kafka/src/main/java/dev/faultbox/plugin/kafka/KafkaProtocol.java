package dev.faultbox.plugin.kafka;

import dev.faultbox.plugin.support.EventLoops;
import dev.faultbox.plugin.support.StarFiles;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StarlarkLibrary;
import java.util.List;
import java.util.stream.Stream;

/**
 * The {@code kafka} plugin: a single-broker Kafka ({@code interface("main", "kafka", 9092)}) with
 * seeded topics, consumer groups and transactions, per-record events, fault rules matching
 * {@code topic=}, its steps ({@code publish}, {@code consume}), and the {@code @faultbox/} files
 * {@code mocks/kafka.star} and {@code recipes/kafka.star}.
 */
public final class KafkaProtocol implements MockProtocol {

  private List<ProtocolFactory> protocols; // made when a spec first uses the protocol

  @Override
  public int spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public String id() {
    return "kafka";
  }

  @Override
  public List<String> protocolNames() {
    return List.of("kafka");
  }

  @Override
  public synchronized List<ProtocolFactory> protocols() {
    if (protocols == null) {
      protocols = List.of(new KafkaFactory());
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

  private static final class Libraries {
    static final List<StarlarkLibrary> ALL =
        Stream.of("mocks/kafka.star", "recipes/kafka.star")
            .map(path -> StarFiles.library(KafkaProtocol.class, path))
            .toList();
  }
}
