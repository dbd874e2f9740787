package dev.faultbox.plugin.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;

/**
 * The state of one running broker: its topics and their logs, consumer groups, producer IDs and
 * transactions. Every request of every connection reads and changes it under this object's lock;
 * nothing here blocks. Waiting (a long-polling fetch, a group gathering) is a callback run later.
 */
final class Broker {

  /** Where the broker reports what happened to data: one event per record produced, fetch, commit... */
  @FunctionalInterface
  interface Recorder {
    void record(String op, Map<String, Object> fields);
  }

  static final int NODE_ID = 1;
  static final String HOST = "127.0.0.1";
  static final int VALUE_IN_EVENT_LIMIT = 1024;

  final String clusterId;
  final boolean autoCreate;
  final int defaultPartitions;
  final Recorder recorder;
  final ScheduledExecutorService scheduler;
  volatile int port;

  private final Map<String, TopicLog> topics = new LinkedHashMap<>();
  private final Map<Uuid, TopicLog> topicsById = new HashMap<>();
  private final Map<String, Integer> incarnations = new HashMap<>();
  private final List<Waiter> waiters = new ArrayList<>();
  final Groups groups;
  final Transactions transactions;

  Broker(String clusterId, boolean autoCreate, int defaultPartitions, Recorder recorder, ScheduledExecutorService scheduler) {
    this.clusterId = clusterId;
    this.autoCreate = autoCreate;
    this.defaultPartitions = defaultPartitions;
    this.recorder = recorder;
    this.scheduler = scheduler;
    this.groups = new Groups(this);
    this.transactions = new Transactions(this);
  }

  // ---- topics ----

  synchronized TopicLog topic(String name) {
    return topics.get(name);
  }

  synchronized TopicLog topic(Uuid id) {
    return topicsById.get(id);
  }

  synchronized List<TopicLog> topics() {
    return new ArrayList<>(topics.values());
  }

  /** Why {@code name} cannot name a topic, or null when it can. */
  static String invalidName(String name) {
    try {
      Topic.validate(name);
      return null;
    } catch (InvalidTopicException e) {
      return e.getMessage();
    }
  }

  /** Creates {@code name} with {@code partitions}; null when it exists already. */
  synchronized TopicLog create(String name, int partitions) {
    if (topics.containsKey(name)) {
      return null;
    }
    int incarnation = incarnations.merge(name, 1, Integer::sum);
    TopicLog t = new TopicLog(name, partitions, incarnation);
    topics.put(name, t);
    topicsById.put(t.id, t);
    return t;
  }

  synchronized boolean delete(String name) {
    TopicLog t = topics.remove(name);
    if (t == null) {
      return false;
    }
    topicsById.remove(t.id);
    return true;
  }

  /** The topic, auto-created when allowed and the name is valid; null otherwise. */
  synchronized TopicLog topicOrCreate(String name, boolean allowed) {
    TopicLog t = topics.get(name);
    if (t == null && allowed && autoCreate && invalidName(name) == null) {
      t = create(name, defaultPartitions);
    }
    return t;
  }

  // ---- produce ----

  /** What an append to one partition came to. */
  record Appended(Errors error, long baseOffset, String message) {
    static Appended failed(Errors error, String message) {
      return new Appended(error, -1, message);
    }
  }

  /**
   * Appends the batches of one partition of a produce request, checked first: CRCs and framing
   * (CORRUPT_MESSAGE), the record format (v2 only), and idempotent producers' epochs and
   * sequences. A retried batch still in the producer's window is answered with its first offsets.
   *
   * @param twice append a second copy (the duplicate fault), with its own offsets
   */
  synchronized Appended append(String topicName, int partition, ByteBuffer records, boolean twice) {
    TopicLog topic = topicOrCreate(topicName, true);
    if (topic == null) {
      return Appended.failed(invalidName(topicName) != null ? Errors.INVALID_TOPIC_EXCEPTION : Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
    }
    PartitionLog log = topic.partition(partition);
    if (log == null) {
      return Appended.failed(Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
    }
    if (records == null || !records.hasRemaining()) {
      return Appended.failed(Errors.CORRUPT_MESSAGE, "no record batch");
    }
    ByteBuffer owned = ByteBuffer.allocate(records.remaining());
    owned.put(records.duplicate()).flip();
    List<MutableRecordBatch> batches = new ArrayList<>();
    List<ByteBuffer> slices = new ArrayList<>();
    try {
      int at = 0;
      for (MutableRecordBatch batch : MemoryRecords.readableRecords(owned).batches()) {
        if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
          return Appended.failed(Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT, "only record format v2 is accepted");
        }
        batch.ensureValid();
        for (Record r : batch) {
          r.ensureValid();
        }
        batches.add(batch);
        slices.add(owned.duplicate().position(at).limit(at + batch.sizeInBytes()).slice());
        at += batch.sizeInBytes();
      }
      if (batches.isEmpty() || at != owned.limit()) {
        return Appended.failed(Errors.CORRUPT_MESSAGE, "the record batches do not fill the records field");
      }
    } catch (RuntimeException e) {
      return Appended.failed(Errors.CORRUPT_MESSAGE, e.getMessage());
    }
    // Idempotence: one producer batch per partition per request, as clients send them.
    MutableRecordBatch first = batches.get(0);
    long producerId = first.producerId();
    PartitionLog.ProducerState state = producerId >= 0 ? log.producers.get(producerId) : null;
    if (producerId >= 0) {
      Errors refused = transactions.checkProducer(producerId, first.producerEpoch(), first.isTransactional(), topicName, partition);
      if (refused != Errors.NONE) {
        return Appended.failed(refused, null);
      }
      if (state != null) {
        if (first.producerEpoch() < state.epoch) {
          return Appended.failed(Errors.INVALID_PRODUCER_EPOCH, null);
        }
        if (first.producerEpoch() == state.epoch) {
          for (long[] seen : state.recent) {
            if (seen[0] == first.baseSequence() && seen[1] == first.lastSequence()) {
              return new Appended(Errors.NONE, seen[2], null); // a retry: answered, not appended again
            }
          }
          if (first.baseSequence() != state.lastSequence + 1 && !(state.lastSequence == Integer.MAX_VALUE && first.baseSequence() == 0)) {
            return Appended.failed(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "expected sequence " + (state.lastSequence + 1)
                + ", got " + first.baseSequence());
          }
        } else if (first.baseSequence() != 0) {
          return Appended.failed(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "a new epoch starts at sequence 0");
        }
      }
    }
    long base = -1;
    List<PartitionLog.Batch> added = new ArrayList<>();
    for (int i = 0; i < batches.size(); i++) {
      long offset = log.append(batches.get(i), slices.get(i));
      base = base < 0 ? offset : base;
      added.add(log.batches.get(log.batches.size() - 1));
      if (producerId >= 0) {
        PartitionLog.ProducerState s = log.producers.computeIfAbsent(producerId, id -> new PartitionLog.ProducerState());
        MutableRecordBatch b = batches.get(i);
        if (b.producerEpoch() != s.epoch) {
          s.recent.clear();
        }
        s.epoch = b.producerEpoch();
        s.lastSequence = b.lastSequence();
        s.recent.add(new long[] {b.baseSequence(), b.lastSequence(), offset});
        if (s.recent.size() > PartitionLog.DEDUPE_WINDOW) {
          s.recent.remove(0);
        }
      }
    }
    if (twice) {
      for (ByteBuffer slice : slices) {
        ByteBuffer copy = ByteBuffer.allocate(slice.remaining());
        copy.put(slice.duplicate()).flip();
        MutableRecordBatch again = MemoryRecords.readableRecords(copy).batches().iterator().next();
        log.append(again, copy);
        added.add(log.batches.get(log.batches.size() - 1));
      }
    }
    for (PartitionLog.Batch b : added) {
      recordProduced(topicName, partition, b);
    }
    wake(topicName, partition);
    return new Appended(Errors.NONE, base, null);
  }

  /** Appends a control batch (a transaction marker), which has no produce event. */
  synchronized void appendControl(String topicName, int partition, MemoryRecords marker) {
    TopicLog topic = topics.get(topicName);
    PartitionLog log = topic == null ? null : topic.partition(partition);
    if (log == null) {
      return;
    }
    ByteBuffer owned = ByteBuffer.allocate(marker.sizeInBytes());
    owned.put(marker.buffer().duplicate()).flip();
    log.append(MemoryRecords.readableRecords(owned).batches().iterator().next(), owned);
    wake(topicName, partition);
  }

  private void recordProduced(String topic, int partition, PartitionLog.Batch batch) {
    if (batch.control()) {
      return;
    }
    for (RecordBatch rb : MemoryRecords.readableRecords(batch.bytes().duplicate()).batches()) {
      for (Record r : rb) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("topic", topic);
        fields.put("partition", (long) partition);
        fields.put("offset", r.offset());
        if (r.hasKey()) {
          fields.put("key", text(r.key()));
        }
        fields.put("value_size", (long) r.valueSize());
        if (r.hasValue() && r.valueSize() < VALUE_IN_EVENT_LIMIT) {
          fields.put("value", text(r.value()));
        }
        if (r.headers().length > 0) {
          Map<String, Object> headers = new LinkedHashMap<>();
          for (org.apache.kafka.common.header.Header h : r.headers()) {
            headers.put(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
          }
          fields.put("headers", headers);
        }
        if (rb.isTransactional()) {
          fields.put("transactional", true);
        }
        recorder.record("produce", fields);
      }
    }
  }

  static String text(ByteBuffer bytes) {
    ByteBuffer b = bytes.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return new String(out, StandardCharsets.UTF_8);
  }

  // ---- fetch ----

  /** What one partition's read gave: the batches from the fetch offset on, and the log's offsets. */
  record Read(Errors error, List<PartitionLog.Batch> batches, int bytes, long highWatermark, long lastStable,
      List<PartitionLog.Aborted> aborted, int records) {}

  synchronized Read read(TopicLog topic, int partition, long offset, int maxBytes, boolean readCommitted) {
    PartitionLog log = topic.partition(partition);
    if (log == null) {
      return new Read(Errors.UNKNOWN_TOPIC_OR_PARTITION, List.of(), 0, -1, -1, List.of(), 0);
    }
    long hw = log.highWatermark();
    long lso = log.lastStable();
    if (offset < 0 || offset > hw) {
      return new Read(Errors.OFFSET_OUT_OF_RANGE, List.of(), 0, hw, lso, List.of(), 0);
    }
    long visibleEnd = readCommitted ? lso : hw;
    List<PartitionLog.Batch> out = new ArrayList<>();
    int bytes = 0;
    int records = 0;
    for (int i = log.indexOf(offset); i < log.batches.size(); i++) {
      PartitionLog.Batch b = log.batches.get(i);
      if (b.baseOffset() >= visibleEnd || (!out.isEmpty() && bytes + b.size() > maxBytes)) {
        break;
      }
      out.add(b);
      bytes += b.size();
      if (!b.control()) {
        records += (int) (b.lastOffset() - Math.max(offset, b.baseOffset()) + 1);
      }
    }
    List<PartitionLog.Aborted> aborted = List.of();
    if (readCommitted && !out.isEmpty()) {
      long last = out.get(out.size() - 1).lastOffset();
      aborted = new ArrayList<>();
      for (PartitionLog.Aborted a : log.aborted) {
        if (a.lastOffset() >= offset && a.firstOffset() <= last) {
          aborted.add(a);
        }
      }
    }
    return new Read(Errors.NONE, out, bytes, hw, lso, aborted, records);
  }

  static MemoryRecords records(List<PartitionLog.Batch> batches, int bytes) {
    if (batches.isEmpty()) {
      return MemoryRecords.EMPTY;
    }
    ByteBuffer all = ByteBuffer.allocate(bytes);
    for (PartitionLog.Batch b : batches) {
      all.put(b.bytes().duplicate());
    }
    all.flip();
    return MemoryRecords.readableRecords(all);
  }

  /** A long poll waiting for data on some partitions; runs once, on data or when its time is up. */
  private record Waiter(Set<String> partitions, Runnable wake) {}

  static String key(String topic, int partition) {
    return topic + "\u0000" + partition;
  }

  synchronized void await(Set<String> partitions, Runnable wake) {
    waiters.add(new Waiter(partitions, wake));
  }

  synchronized void forget(Runnable wake) {
    waiters.removeIf(w -> w.wake() == wake);
  }

  /** Runs the waiters on {@code topic}'s partition off this thread, so no reply is written under the lock. */
  private void wake(String topic, int partition) {
    String k = key(topic, partition);
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (w.partitions().contains(k)) {
        it.remove();
        try {
          scheduler.execute(w.wake());
        } catch (RuntimeException e) {
          w.wake().run(); // the run is ending: answer now
        }
      }
    }
  }
}
