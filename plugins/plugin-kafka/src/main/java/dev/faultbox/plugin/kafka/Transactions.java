package dev.faultbox.plugin.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * Producer IDs and the transaction coordinator (transaction protocol 1): InitProducerId fences an
 * older epoch and aborts what it left open, AddPartitionsToTxn/AddOffsetsToTxn enlist partitions
 * and groups, TxnOffsetCommit holds offsets until EndTxn, which writes a COMMIT or ABORT control
 * batch to every enlisted partition (aborted spans are then reported to read_committed fetches).
 * Guarded by the broker's lock.
 */
final class Transactions {

  static final class Txn {
    final String id;
    final long producerId;
    short epoch;
    final Set<TopicPartition> partitions = new LinkedHashSet<>();
    final Map<String, Map<TopicPartition, Long>> offsets = new LinkedHashMap<>();

    Txn(String id, long producerId) {
      this.id = id;
      this.producerId = producerId;
    }

    boolean ongoing() {
      return !partitions.isEmpty() || !offsets.isEmpty();
    }
  }

  private final Broker broker;
  private final Map<String, Txn> byId = new HashMap<>();
  private final Map<Long, Txn> byProducer = new HashMap<>();
  private long nextProducerId = 1000;

  Transactions(Broker broker) {
    this.broker = broker;
  }

  /** {producerId, epoch} for an InitProducerId. */
  long[] init(String transactionalId, long producerId, short epoch) {
    synchronized (broker) {
      if (transactionalId == null) {
        return producerId >= 0 ? new long[] {producerId, epoch + 1} : new long[] {nextProducerId++, 0};
      }
      Txn t = byId.get(transactionalId);
      if (t == null) {
        t = new Txn(transactionalId, nextProducerId++);
        byId.put(transactionalId, t);
        byProducer.put(t.producerId, t);
        return new long[] {t.producerId, 0};
      }
      if (t.ongoing()) {
        end(t, false);
      }
      t.epoch++;
      return new long[] {t.producerId, t.epoch};
    }
  }

  /** NONE, or why a transactional producer may not write to the partition. */
  Errors checkProducer(long producerId, short epoch, boolean transactional, String topic, int partition) {
    Txn t = byProducer.get(producerId);
    if (t == null) {
      return transactional ? Errors.INVALID_PRODUCER_ID_MAPPING : Errors.NONE;
    }
    if (epoch < t.epoch) {
      return Errors.INVALID_PRODUCER_EPOCH;
    }
    if (transactional && !t.partitions.contains(new TopicPartition(topic, partition))) {
      return Errors.INVALID_TXN_STATE;
    }
    return Errors.NONE;
  }

  private Errors owner(String transactionalId, long producerId, short epoch) {
    Txn t = byId.get(transactionalId);
    if (t == null || t.producerId != producerId) {
      return Errors.INVALID_PRODUCER_ID_MAPPING;
    }
    return epoch != t.epoch ? Errors.PRODUCER_FENCED : Errors.NONE;
  }

  Errors addPartition(String transactionalId, long producerId, short epoch, TopicPartition tp) {
    synchronized (broker) {
      Errors e = owner(transactionalId, producerId, epoch);
      if (e != Errors.NONE) {
        return e;
      }
      TopicLog topic = broker.topic(tp.topic());
      if (topic == null || topic.partition(tp.partition()) == null) {
        return Errors.UNKNOWN_TOPIC_OR_PARTITION;
      }
      byId.get(transactionalId).partitions.add(tp);
      return Errors.NONE;
    }
  }

  Errors addOffsets(String transactionalId, long producerId, short epoch, String group) {
    synchronized (broker) {
      Errors e = owner(transactionalId, producerId, epoch);
      if (e == Errors.NONE) {
        byId.get(transactionalId).offsets.computeIfAbsent(group, g -> new LinkedHashMap<>());
      }
      return e;
    }
  }

  Errors commitOffset(String transactionalId, long producerId, short epoch, String group, TopicPartition tp, long offset) {
    synchronized (broker) {
      Errors e = owner(transactionalId, producerId, epoch);
      if (e == Errors.NONE) {
        byId.get(transactionalId).offsets.computeIfAbsent(group, g -> new LinkedHashMap<>()).put(tp, offset);
      }
      return e;
    }
  }

  Errors endTxn(String transactionalId, long producerId, short epoch, boolean commit) {
    synchronized (broker) {
      Errors e = owner(transactionalId, producerId, epoch);
      if (e == Errors.NONE) {
        end(byId.get(transactionalId), commit);
      }
      return e;
    }
  }

  private void end(Txn t, boolean commit) {
    List<String> partitions = new ArrayList<>();
    for (TopicPartition tp : t.partitions) {
      TopicLog topic = broker.topic(tp.topic());
      PartitionLog log = topic == null ? null : topic.partition(tp.partition());
      if (log == null) {
        continue;
      }
      Long first = log.openTransactions.remove(t.producerId);
      long markerOffset = log.logEnd;
      if (!commit && first != null) {
        log.aborted.add(new PartitionLog.Aborted(t.producerId, first, markerOffset));
      }
      broker.appendControl(tp.topic(), tp.partition(), MemoryRecords.withEndTransactionMarker(markerOffset,
          System.currentTimeMillis(), 0, t.producerId, t.epoch,
          new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, 0)));
      partitions.add(tp.toString());
    }
    if (commit) {
      t.offsets.forEach((group, offsets) -> offsets.forEach((tp, offset) ->
          broker.groups.commit(group, tp.topic(), tp.partition(), offset)));
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("transactional_id", t.id);
    fields.put("producer_id", t.producerId);
    fields.put("result", commit ? "commit" : "abort");
    fields.put("partitions", partitions);
    broker.recorder.record("txn", fields);
    t.partitions.clear();
    t.offsets.clear();
  }
}
