package dev.faultbox.plugin.mongodb;

import de.bwaldvogel.mongo.MongoVersion;
import java.util.List;

/**
 * The server version the mock reports: MongoDB 6.0, wire version 17. The library's own versions
 * stop at wire version 8, which current drivers refuse (the Node.js driver 7 wants 9 or more).
 */
final class Server60 implements MongoVersion {
  static final Server60 INSTANCE = new Server60();
  static final int WIRE_VERSION = 17;
  static final String VERSION = "6.0.0";

  private Server60() {}

  @Override
  public List<Integer> getVersionArray() {
    return List.of(6, 0, 0, 0);
  }

  @Override
  public String toVersionString() {
    return VERSION;
  }

  @Override
  public int getWireVersion() {
    return WIRE_VERSION;
  }
}
