package dev.faultbox.plugin.kafka;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.kafka.common.Uuid;

/** A topic: its name, an ID that is stable for the name (and its incarnation), and its partitions. */
final class TopicLog {
  final String name;
  final Uuid id;
  final PartitionLog[] partitions;

  TopicLog(String name, int partitions, int incarnation) {
    this.name = name;
    this.id = idFor(name, incarnation);
    this.partitions = new PartitionLog[partitions];
    for (int i = 0; i < partitions; i++) {
      this.partitions[i] = new PartitionLog();
    }
  }

  PartitionLog partition(int index) {
    return index >= 0 && index < partitions.length ? partitions[index] : null;
  }

  /** The same name gives the same ID from run to run; a topic deleted and made again gets a new one. */
  static Uuid idFor(String name, int incarnation) {
    UUID u = UUID.nameUUIDFromBytes((incarnation + "/" + name).getBytes(StandardCharsets.UTF_8));
    Uuid id = new Uuid(u.getMostSignificantBits(), u.getLeastSignificantBits());
    // Zero and one are reserved (no topic, the metadata topic); a name hashing there is astronomically rare.
    return id.equals(Uuid.ZERO_UUID) || id.equals(Uuid.ONE_UUID) ? new Uuid(1, 2) : id;
  }
}
