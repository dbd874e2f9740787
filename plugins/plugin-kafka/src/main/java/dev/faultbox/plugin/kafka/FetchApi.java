package dev.faultbox.plugin.kafka;

import dev.faultbox.plugin.support.MockExchange.Routed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;

/**
 * Fetch and ListOffsets. A fetch that finds fewer than its min bytes waits, up to its max wait,
 * for a produce to one of its partitions, then reads again. No fetch sessions: the answer's
 * session ID is 0, so clients keep sending full fetches. From v13 topics are named by ID.
 */
final class FetchApi {

  private final Broker broker;

  FetchApi(Broker broker) {
    this.broker = broker;
  }

  Routed<KafkaReply> fetch(FetchRequest request, short version) {
    FetchRequestData data = request.data();
    Result first = read(data, version);
    if (first.bytes >= Math.max(1, data.minBytes()) || data.maxWaitMs() <= 0 || first.failed) {
      return Apis.ready(first.emit(broker));
    }
    CompletableFuture<KafkaReply> reply = new CompletableFuture<>();
    AtomicBoolean once = new AtomicBoolean();
    ScheduledFuture<?>[] timer = new ScheduledFuture<?>[1];
    Runnable[] wake = new Runnable[1];
    wake[0] = () -> {
      if (once.compareAndSet(false, true)) {
        if (timer[0] != null) {
          timer[0].cancel(false);
        }
        broker.forget(wake[0]);
        try {
          reply.complete(new KafkaReply.Answer(read(data, version).emit(broker)));
        } catch (RuntimeException e) {
          reply.completeExceptionally(e);
        }
      }
    };
    broker.await(first.partitions, wake[0]);
    try {
      timer[0] = broker.scheduler.schedule(wake[0], data.maxWaitMs(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      wake[0].run(); // the run is ending: answer what there is
    }
    return new Routed.Later<>(reply);
  }

  /** A read, and the fetch events it makes when it is the answer. */
  private record Result(FetchResponse response, int bytes, boolean failed, Set<String> partitions,
      List<Map<String, Object>> events) {
    FetchResponse emit(Broker broker) {
      events.forEach(fields -> broker.recorder.record("fetch", fields));
      return response;
    }
  }

  private Result read(FetchRequestData data, short version) {
    List<Map<String, Object>> events = new ArrayList<>();
    boolean readCommitted = data.isolationLevel() == IsolationLevel.READ_COMMITTED.id();
    FetchResponseData out = new FetchResponseData().setSessionId(0);
    int budget = data.maxBytes() <= 0 ? Integer.MAX_VALUE : data.maxBytes();
    int total = 0;
    boolean failed = false;
    Set<String> keys = new HashSet<>();
    for (FetchRequestData.FetchTopic asked : data.topics()) {
      TopicLog topic = version >= 13 ? broker.topic(asked.topicId()) : broker.topic(asked.topic());
      FetchResponseData.FetchableTopicResponse answer = new FetchResponseData.FetchableTopicResponse()
          .setTopic(asked.topic()).setTopicId(asked.topicId() == null ? Uuid.ZERO_UUID : asked.topicId());
      for (FetchRequestData.FetchPartition p : asked.partitions()) {
        FetchResponseData.PartitionData pd = new FetchResponseData.PartitionData().setPartitionIndex(p.partition())
            .setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(0);
        if (topic == null) {
          failed = true;
          pd.setErrorCode((version >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
          answer.partitions().add(pd);
          continue;
        }
        keys.add(Broker.key(topic.name, p.partition()));
        int max = Math.max(0, Math.min(p.partitionMaxBytes(), budget - total));
        Broker.Read r = broker.read(topic, p.partition(), p.fetchOffset(), Math.max(max, 1), readCommitted);
        pd.setErrorCode(r.error().code()).setHighWatermark(r.highWatermark()).setLastStableOffset(r.lastStable());
        if (r.error() != org.apache.kafka.common.protocol.Errors.NONE) {
          failed = true;
        } else if (max > 0 || total == 0) {
          pd.setRecords(Broker.records(r.batches(), r.bytes()));
          total += r.bytes();
          if (readCommitted) {
            List<FetchResponseData.AbortedTransaction> aborted = new ArrayList<>();
            for (PartitionLog.Aborted a : r.aborted()) {
              aborted.add(new FetchResponseData.AbortedTransaction().setProducerId(a.producerId()).setFirstOffset(a.firstOffset()));
            }
            pd.setAbortedTransactions(aborted);
          }
          if (r.records() > 0) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("topic", topic.name);
            fields.put("partition", (long) p.partition());
            fields.put("offset", p.fetchOffset());
            fields.put("records", (long) r.records());
            fields.put("bytes", (long) r.bytes());
            events.add(fields);
          }
        }
        answer.partitions().add(pd);
      }
      out.responses().add(answer);
    }
    return new Result(FetchResponse.of(out), total, failed, keys, events);
  }

  ListOffsetsResponse listOffsets(ListOffsetsRequest request, short version) {
    boolean readCommitted = request.data().isolationLevel() == IsolationLevel.READ_COMMITTED.id();
    ListOffsetsResponseData data = new ListOffsetsResponseData();
    for (ListOffsetsRequestData.ListOffsetsTopic asked : request.data().topics()) {
      ListOffsetsResponseData.ListOffsetsTopicResponse topicOut = new ListOffsetsResponseData.ListOffsetsTopicResponse()
          .setName(asked.name());
      TopicLog topic = broker.topic(asked.name());
      for (ListOffsetsRequestData.ListOffsetsPartition p : asked.partitions()) {
        ListOffsetsResponseData.ListOffsetsPartitionResponse po = new ListOffsetsResponseData.ListOffsetsPartitionResponse()
            .setPartitionIndex(p.partitionIndex()).setTimestamp(-1).setOffset(-1).setLeaderEpoch(version >= 4 ? 0 : -1);
        PartitionLog log = topic == null ? null : topic.partition(p.partitionIndex());
        if (log == null) {
          po.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        } else {
          offsetFor(log, p.timestamp(), readCommitted, po);
        }
        topicOut.partitions().add(po);
      }
      data.topics().add(topicOut);
    }
    return new ListOffsetsResponse(data);
  }

  private void offsetFor(PartitionLog log, long timestamp, boolean readCommitted,
      ListOffsetsResponseData.ListOffsetsPartitionResponse out) {
    synchronized (broker) {
      if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
        out.setOffset(0);
      } else if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP || timestamp == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP) {
        out.setOffset(readCommitted ? log.lastStable() : log.highWatermark());
      } else if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
        long[] max = log.maxTimestamp();
        if (max != null) {
          out.setOffset(max[0]).setTimestamp(max[1]);
        }
      } else if (timestamp >= 0) {
        Map<Long, Long> found = new HashMap<>();
        long offset = log.offsetForTimestamp(timestamp, found);
        if (offset >= 0) {
          out.setOffset(offset).setTimestamp(found.get(offset));
        }
      } else {
        out.setErrorCode(Errors.UNSUPPORTED_VERSION.code());
      }
    }
  }
}
