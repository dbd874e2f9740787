package dev.faultbox.plugin.kafka;

import dev.faultbox.plugin.support.Config;
import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.Json;
import dev.faultbox.plugin.support.StepArgs;
import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.StepException;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.spi.StepResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.utils.Utils;

/**
 * The steps of a kafka interface, spoken over one plain connection with kafka-clients' request
 * classes (no producer or consumer to start, so a step takes milliseconds):
 * {@code publish(topic=, key=None, value= (or data=), headers={}, partition=None)} appends one
 * record with acks=all and returns {@code {topic, partition, offset}}; {@code consume(topic=,
 * group=None, timeout="10s", from_beginning=True)} returns the group's next record as
 * {@code {topic, key, value, partition, offset, headers, timestamp}} and commits past it,
 * {@code ok=False} when none comes in time. A broker error gives {@code ok=False} with its name
 * and message as {@code .error}; steps do not retry, so a fault shows as it is.
 */
final class KafkaSteps {
  private KafkaSteps() {}

  static final long CONNECT_TIMEOUT_MS = 5000;
  static final String DEFAULT_GROUP = "faultbox";
  static final long DEFAULT_CONSUME_TIMEOUT_MS = 10_000;
  static final int POLL_MS = 500;

  static Map<String, StepMethod> all() {
    return Map.of("publish", new Publish(), "consume", new Consume());
  }

  private static final class Publish implements StepMethod {
    static final List<String> PARAMS = List.of("topic", "key", "value", "data", "headers", "partition", "timeout_ms");

    @Override
    public List<String> parameters() {
      return PARAMS;
    }

    @Override
    public StepResult call(Endpoint target, Map<String, Object> kwargs) {
      StepArgs args = StepArgs.of("publish", kwargs).only(PARAMS);
      String topic = required(args, "topic");
      byte[] key = args.get("key") == null ? null : payload(args, "key");
      Object v = kwargs.get("value") != null ? kwargs.get("value") : kwargs.get("data");
      byte[] value = v == null ? null : v instanceof Map || v instanceof List
          ? Json.write(v).getBytes(StandardCharsets.UTF_8) : payload(args, kwargs.get("value") != null ? "value" : "data");
      Map<String, String> headers = args.stringDict("headers");
      Integer partition = null;
      if (args.get("partition") != null) {
        partition = (int) longArg(args, "partition", 0, Integer.MAX_VALUE);
      }
      long timeoutMs = args.timeoutMs(CONNECT_TIMEOUT_MS);
      long started = System.nanoTime();
      try (WireClient client = new WireClient(target.host(), target.port(), (int) timeoutMs)) {
        MetadataResponse meta = client.send(MetadataRequest.Builder.forTopicNames(List.of(topic), true));
        MetadataResponseData.MetadataResponseTopic t = meta.data().topics().find(topic);
        if (t == null || t.errorCode() != Errors.NONE.code()) {
          Errors e = t == null ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.forCode(t.errorCode());
          return failed(e, null, started);
        }
        int partitions = t.partitions().size();
        int p = partition != null ? partition : key == null ? 0 : Utils.toPositive(Utils.murmur2(key)) % partitions;
        Header[] recordHeaders = headers.entrySet().stream()
            .map(h -> new RecordHeader(h.getKey(), h.getValue().getBytes(StandardCharsets.UTF_8))).toArray(Header[]::new);
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
            new SimpleRecord(System.currentTimeMillis(), key, value, recordHeaders));
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs((int) timeoutMs);
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName(topic);
        td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(p).setRecords(records));
        data.topicData().add(td);
        ProduceResponse response = client.send(ProduceRequest.builder(data));
        ProduceResponseData.PartitionProduceResponse pr = response.data().responses().iterator().next()
            .partitionResponses().get(0);
        if (pr.errorCode() != Errors.NONE.code()) {
          return failed(Errors.forCode(pr.errorCode()), pr.errorMessage(), started);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("topic", topic);
        body.put("partition", (long) p);
        body.put("offset", pr.baseOffset());
        return ok(body, started);
      } catch (IOException | RuntimeException e) {
        return StepResult.Response.failed("kafka publish to " + target.host() + ":" + target.port() + " failed: "
            + Failures.messageOf(e), millis(started));
      }
    }
  }

  private static final class Consume implements StepMethod {
    static final List<String> PARAMS = List.of("topic", "group", "timeout", "from_beginning");

    @Override
    public List<String> parameters() {
      return PARAMS;
    }

    @Override
    public StepResult call(Endpoint target, Map<String, Object> kwargs) {
      StepArgs args = StepArgs.of("consume", kwargs).only(PARAMS);
      String topic = required(args, "topic");
      String group = args.string("group") == null ? DEFAULT_GROUP : args.string("group");
      long timeoutMs = duration(args, "timeout", DEFAULT_CONSUME_TIMEOUT_MS);
      Object fb = kwargs.get("from_beginning");
      if (fb != null && !(fb instanceof Boolean)) {
        throw args.error("from_beginning", "must be a bool, got " + Config.starlarkType(fb));
      }
      boolean fromBeginning = fb == null || (Boolean) fb;
      long started = System.nanoTime();
      long deadline = started + timeoutMs * 1_000_000;
      try (WireClient client = new WireClient(target.host(), target.port(), (int) Math.min(timeoutMs + POLL_MS, CONNECT_TIMEOUT_MS + timeoutMs))) {
        Map<TopicPartition, Long> positions = null;
        Uuid topicId = Uuid.ZERO_UUID;
        while (System.nanoTime() < deadline) {
          if (positions == null) {
            MetadataResponse meta = client.send(MetadataRequest.Builder.forTopicNames(List.of(topic), false));
            MetadataResponseData.MetadataResponseTopic t = meta.data().topics().find(topic);
            if (t != null && t.errorCode() == Errors.NONE.code()) {
              topicId = t.topicId();
              positions = positions(client, topic, t.partitions().size(), group, fromBeginning);
            } else {
              Thread.sleep(50); // the topic may be created by the first produce
              continue;
            }
          }
          int waitMs = (int) Math.max(1, Math.min(POLL_MS, (deadline - System.nanoTime()) / 1_000_000));
          Map<TopicPartition, FetchRequest.PartitionData> fetch = new LinkedHashMap<>();
          for (Map.Entry<TopicPartition, Long> e : positions.entrySet()) {
            fetch.put(e.getKey(), new FetchRequest.PartitionData(topicId, e.getValue(), 0, 1 << 20, Optional.empty()));
          }
          FetchResponse response = client.send(FetchRequest.Builder.forConsumer(
              ApiTable.of(org.apache.kafka.common.protocol.ApiKeys.FETCH).max(), waitMs, 1, fetch)
              .isolationLevel(IsolationLevel.READ_UNCOMMITTED));
          Map<String, Object> found = first(response, topic, topicId, positions);
          if (found != null) {
            commit(client, group, topic, ((Long) found.get("partition")).intValue(), (Long) found.get("offset") + 1);
            return ok(found, started);
          }
        }
        return StepResult.Response.failed("no record on " + topic + " within " + timeoutMs + "ms", millis(started));
      } catch (IOException | RuntimeException e) {
        return StepResult.Response.failed("kafka consume from " + target.host() + ":" + target.port() + " failed: "
            + Failures.messageOf(e), millis(started));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return StepResult.Response.failed("interrupted", millis(started));
      }
    }
  }

  /** Where the group goes on reading each partition: its committed offset, else the log's start or end. */
  private static Map<TopicPartition, Long> positions(WireClient client, String topic, int partitions, String group,
      boolean fromBeginning) throws IOException {
    List<Integer> indexes = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      indexes.add(p);
    }
    OffsetFetchRequestData req = new OffsetFetchRequestData();
    req.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(group)
        .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(topic).setPartitionIndexes(indexes))));
    OffsetFetchResponse committed = client.send(OffsetFetchRequest.Builder.forTopicNames(req, false));
    Map<TopicPartition, Long> positions = new LinkedHashMap<>();
    for (OffsetFetchResponseData.OffsetFetchResponseGroup g : committed.data().groups()) {
      for (OffsetFetchResponseData.OffsetFetchResponseTopics t : g.topics()) {
        for (OffsetFetchResponseData.OffsetFetchResponsePartitions p : t.partitions()) {
          if (p.committedOffset() >= 0) {
            positions.put(new TopicPartition(topic, p.partitionIndex()), p.committedOffset());
          }
        }
      }
    }
    ListOffsetsRequestData.ListOffsetsTopic lt = new ListOffsetsRequestData.ListOffsetsTopic().setName(topic);
    for (int p : indexes) {
      lt.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(p)
          .setTimestamp(fromBeginning ? ListOffsetsRequest.EARLIEST_TIMESTAMP : ListOffsetsRequest.LATEST_TIMESTAMP));
    }
    ListOffsetsResponse offsets = client.send(ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
        .setTargetTimes(List.of(lt)));
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    for (var t : offsets.data().topics()) {
      for (var p : t.partitions()) {
        TopicPartition tp = new TopicPartition(topic, p.partitionIndex());
        out.put(tp, positions.getOrDefault(tp, Math.max(0, p.offset())));
      }
    }
    return out;
  }

  private static Map<String, Object> first(FetchResponse response, String topic, Uuid topicId,
      Map<TopicPartition, Long> positions) {
    var data = response.responseData(Map.of(topicId, topic), ApiTable.of(org.apache.kafka.common.protocol.ApiKeys.FETCH).max());
    for (Map.Entry<TopicPartition, Long> want : positions.entrySet()) {
      var pd = data.get(want.getKey());
      if (pd == null || pd.errorCode() != Errors.NONE.code()) {
        continue;
      }
      for (RecordBatch batch : FetchResponse.recordsOrFail(pd).batches()) {
        if (batch.isControlBatch()) {
          continue;
        }
        for (Record r : batch) {
          if (r.offset() >= want.getValue()) {
            return describe(topic, want.getKey().partition(), r);
          }
        }
      }
      if (pd.highWatermark() > want.getValue()) {
        // Only control records (transaction markers) up to here: move past them next time.
        positions.put(want.getKey(), lastOffset(FetchResponse.recordsOrFail(pd), want.getValue()));
      }
    }
    return null;
  }

  private static long lastOffset(org.apache.kafka.common.record.Records records, long fallback) {
    long last = fallback;
    for (RecordBatch b : records.batches()) {
      last = Math.max(last, b.lastOffset() + 1);
    }
    return last;
  }

  private static Map<String, Object> describe(String topic, int partition, Record r) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("topic", topic);
    body.put("partition", (long) partition);
    body.put("offset", r.offset());
    body.put("key", r.hasKey() ? Broker.text(r.key()) : null);
    body.put("value", r.hasValue() ? Broker.text(r.value()) : null);
    Map<String, Object> headers = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
    }
    body.put("headers", headers);
    body.put("timestamp", r.timestamp());
    return body;
  }

  private static void commit(WireClient client, String group, String topic, int partition, long offset) throws IOException {
    OffsetCommitRequestData data = new OffsetCommitRequestData().setGroupId(group).setGenerationIdOrMemberEpoch(-1)
        .setMemberId("");
    data.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic)
        .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(partition)
            .setCommittedOffset(offset))));
    OffsetCommitResponse r = client.send(OffsetCommitRequest.Builder.forTopicNames(data));
    short code = r.data().topics().get(0).partitions().get(0).errorCode();
    if (code != Errors.NONE.code()) {
      throw new IllegalStateException("commit failed: " + Errors.forCode(code).name());
    }
  }

  private static StepResult failed(Errors error, String message, long started) {
    String text = error.name() + ": " + (message == null || message.isBlank() ? error.message() : message);
    Map<String, String> attributes = Map.of("code", Short.toString(error.code()));
    return new StepResult.Response(false, 0, new byte[0], Map.of(), text, millis(started), attributes);
  }

  private static StepResult ok(Map<String, Object> body, long started) {
    return new StepResult.Response(true, 0, Json.write(body).getBytes(StandardCharsets.UTF_8), Map.of(), "", millis(started));
  }

  private static String required(StepArgs args, String key) {
    String v = args.string(key);
    if (v == null || v.isEmpty()) {
      throw new StepException(args.error(key, "is required").getMessage().replace(key + "= is required", "requires " + key + "="));
    }
    return v;
  }

  private static byte[] payload(StepArgs args, String key) {
    byte[] b = StepArgs.bytes(args.get(key));
    if (b == null) {
      throw args.error(key, "must be a str or bytes, got " + Config.starlarkType(args.get(key)));
    }
    return b;
  }

  private static long longArg(StepArgs args, String key, long min, long max) {
    Object v = args.get(key);
    if (!(v instanceof Long || v instanceof Integer) || ((Number) v).longValue() < min || ((Number) v).longValue() > max) {
      throw args.error(key, "must be an int in " + min + ".." + max + ", got " + v);
    }
    return ((Number) v).longValue();
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

  /** A duration: an int of seconds, or text such as {@code "500ms"}, {@code "10s"}, {@code "1m"}. */
  private static long duration(StepArgs args, String key, long fallback) {
    Object v = args.get(key);
    if (v == null) {
      return fallback;
    }
    if ((v instanceof Long || v instanceof Integer) && ((Number) v).longValue() > 0) {
      return ((Number) v).longValue() * 1000;
    }
    if (v instanceof String s) {
      Matcher m = DURATION.matcher(s);
      if (m.matches() && Long.parseLong(m.group(1)) > 0) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> n;
          case "s" -> n * 1000;
          default -> n * 60_000;
        };
      }
    }
    throw args.error(key, "must be a positive duration such as \"10s\" or \"500ms\", got " + v);
  }

  private static long millis(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }
}
