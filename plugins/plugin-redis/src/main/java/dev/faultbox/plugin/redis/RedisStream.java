package dev.faultbox.plugin.redis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stream value: entries (field/value pairs, binary strings) by id in a sorted map, the last id
 * ever generated, and consumer groups, each with its last delivered id and its pending entries
 * list (PEL), kept both per group and per consumer as in redis-server. Ids are two unsigned
 * 64-bit numbers. Not thread-safe: used with the keyspace monitor held.
 */
final class RedisStream {

  /** A stream id {@code ms-seq}, both unsigned. */
  record Id(long ms, long seq) implements Comparable<Id> {
    static final Id MIN = new Id(0, 0);
    static final Id MAX = new Id(-1, -1);

    @Override
    public int compareTo(Id o) {
      int c = Long.compareUnsigned(ms, o.ms);
      return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
    }

    /** The next id, null after MAX. */
    Id next() {
      return seq != -1 ? new Id(ms, seq + 1) : ms != -1 ? new Id(ms + 1, 0) : null;
    }

    /** The previous id, null before MIN. */
    Id previous() {
      return seq != 0 ? new Id(ms, seq - 1) : ms != 0 ? new Id(ms - 1, -1) : null;
    }

    @Override
    public String toString() {
      return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }
  }

  /** A delivered, not yet acknowledged entry. */
  static final class Pending {
    String consumer;
    long deliveredAtMs;
    long deliveries;

    Pending(String consumer, long deliveredAtMs) {
      this.consumer = consumer;
      this.deliveredAtMs = deliveredAtMs;
      this.deliveries = 1;
    }
  }

  static final class Consumer {
    final String name;
    long seenAtMs;
    final TreeMap<Id, Pending> pending = new TreeMap<>();

    Consumer(String name, long seenAtMs) {
      this.name = name;
      this.seenAtMs = seenAtMs;
    }
  }

  static final class Group {
    Id lastDelivered;
    /** Entries read by the group (redis-server 7's entries-read), -1 when unknown. */
    long entriesRead;
    final TreeMap<Id, Pending> pending = new TreeMap<>();
    final Map<String, Consumer> consumers = new LinkedHashMap<>();

    Group(Id lastDelivered, long entriesRead) {
      this.lastDelivered = lastDelivered;
      this.entriesRead = entriesRead;
    }

    Consumer consumer(String name, long now) {
      return consumers.computeIfAbsent(name, n -> new Consumer(n, now));
    }
  }

  final TreeMap<Id, List<String>> entries = new TreeMap<>();
  final Map<String, Group> groups = new LinkedHashMap<>();
  Id lastId = Id.MIN;
  Id maxDeletedId = Id.MIN;
  long entriesAdded;
  private long version;

  /** Counts changes, so that WATCH sees a stream change. */
  long version() {
    return version;
  }

  void changed() {
    version++;
  }

  void add(Id id, List<String> fields) {
    entries.put(id, List.copyOf(fields));
    lastId = id;
    entriesAdded++;
    version++;
  }

  boolean delete(Id id) {
    if (entries.remove(id) == null) {
      return false;
    }
    if (id.compareTo(maxDeletedId) > 0) {
      maxDeletedId = id;
    }
    version++;
    return true;
  }

  /** The id of a new entry for {@code *}: the clock, or just after the last id; null when exhausted. */
  Id autoId(long nowMs) {
    if (Long.compareUnsigned(nowMs, lastId.ms) > 0) {
      return new Id(nowMs, 0);
    }
    return lastId.next();
  }

  int length() {
    return entries.size();
  }
}
