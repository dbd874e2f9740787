package dev.faultbox.plugin.mongodb;

import dev.faultbox.plugin.support.EventLoops;
import dev.faultbox.plugin.support.StarFiles;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StarlarkLibrary;
import java.util.List;
import java.util.stream.Stream;

/**
 * The {@code mongodb} plugin: a MongoDB server ({@code interface("main", "mongodb", 27017)}) on
 * mongo-java-server's in-memory backend, with seeded collections, one event per command, fault
 * rules matching {@code op=} and {@code collection=}, its steps ({@code find}, {@code insert}...)
 * and the {@code @faultbox/} files {@code mocks/mongodb.star} and {@code recipes/mongodb.star}.
 */
public final class MongoProtocol implements MockProtocol {

  static {
    // The library logs each connection and any failed command, the driver its connections: a
    // faultbox run prints none of it (slf4j-simple reads these when a logger is made).
    quiet("de.bwaldvogel", "off");
    quiet("org.mongodb.driver", "off");
  }

  private List<ProtocolFactory> protocols; // made when a spec first uses the protocol

  private static void quiet(String logger, String level) {
    String key = "org.slf4j.simpleLogger.log." + logger;
    if (System.getProperty(key) == null) {
      System.setProperty(key, level);
    }
  }

  @Override
  public int spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public String id() {
    return "mongodb";
  }

  @Override
  public List<String> protocolNames() {
    return List.of(MongoFactory.NAME);
  }

  @Override
  public synchronized List<ProtocolFactory> protocols() {
    if (protocols == null) {
      protocols = List.of(new MongoFactory());
    }
    return protocols;
  }

  @Override
  public List<StarlarkLibrary> libraries() {
    return Libraries.ALL;
  }

  /** Closes the steps' clients and stops the event loops, so no thread of the plugin outlives the run. */
  @Override
  public void close() {
    StepClients.closeAll();
    EventLoops.shutdown();
  }

  private static final class Libraries {
    static final List<StarlarkLibrary> ALL =
        Stream.of("mocks/mongodb.star", "recipes/mongodb.star")
            .map(path -> StarFiles.library(MongoProtocol.class, path))
            .toList();
  }
}
