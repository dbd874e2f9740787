package dev.faultbox.plugin.kafka;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;

/**
 * One partition's log: record batches exactly as producers sent them (so every compression passes
 * through), each given its offsets in place; the idempotent producers' sequence state; and the open
 * and aborted transactions a read_committed fetch needs. Guarded by the {@link Broker}'s lock.
 */
final class PartitionLog {

  /** A stored batch; {@code bytes} is its whole encoding, offsets already assigned. */
  record Batch(long baseOffset, long lastOffset, long maxTimestamp, ByteBuffer bytes, boolean control) {
    int size() {
      return bytes.remaining();
    }
  }

  /** An aborted transaction's span, reported to read_committed consumers. */
  record Aborted(long producerId, long firstOffset, long lastOffset) {}

  /** The last batches an idempotent producer wrote: a retry of one of them is answered, not appended. */
  static final class ProducerState {
    short epoch;
    int lastSequence = -1;
    final ArrayList<long[]> recent = new ArrayList<>(); // {firstSeq, lastSeq, baseOffset}
  }

  static final int DEDUPE_WINDOW = 5; // max.in.flight.requests.per.connection clients may use

  final List<Batch> batches = new ArrayList<>();
  long logEnd;
  final Map<Long, ProducerState> producers = new HashMap<>();
  final Map<Long, Long> openTransactions = new LinkedHashMap<>(); // producerId -> first offset
  final List<Aborted> aborted = new ArrayList<>();

  long highWatermark() {
    return logEnd;
  }

  long lastStable() {
    long lso = logEnd;
    for (long first : openTransactions.values()) {
      lso = Math.min(lso, first);
    }
    return lso;
  }

  /** Gives {@code batch} (a view into {@code owned}) its offsets and keeps it; returns its base offset. */
  long append(MutableRecordBatch batch, ByteBuffer owned) {
    long base = logEnd;
    int count = (int) (batch.lastOffset() - batch.baseOffset()) + 1;
    batch.setLastOffset(base + count - 1);
    batch.setPartitionLeaderEpoch(0);
    batches.add(new Batch(base, base + count - 1, batch.maxTimestamp(), owned, batch.isControlBatch()));
    logEnd = base + count;
    if (batch.isTransactional() && !batch.isControlBatch()) {
      openTransactions.putIfAbsent(batch.producerId(), base);
    }
    return base;
  }

  /** The index of the first batch holding {@code offset} or later. */
  int indexOf(long offset) {
    int lo = 0;
    int hi = batches.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (batches.get(mid).lastOffset() < offset) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The first offset whose record has a timestamp at or after {@code timestamp}, or -1. */
  long offsetForTimestamp(long timestamp, Map<Long, Long> found) {
    for (Batch b : batches) {
      if (b.control() || b.maxTimestamp() < timestamp) {
        continue;
      }
      for (RecordBatch rb : org.apache.kafka.common.record.MemoryRecords.readableRecords(b.bytes().duplicate()).batches()) {
        for (Record r : rb) {
          if (r.timestamp() >= timestamp) {
            found.put(r.offset(), r.timestamp());
            return r.offset();
          }
        }
      }
    }
    return -1;
  }

  /** The largest timestamp in the log and its offset, or null when the log is empty. */
  long[] maxTimestamp() {
    long[] best = null;
    for (Batch b : batches) {
      if (!b.control() && (best == null || b.maxTimestamp() > best[1])) {
        best = new long[] {b.lastOffset(), b.maxTimestamp()};
      }
    }
    return best;
  }
}
