package dev.faultbox.plugin.kafka;

import dev.faultbox.plugin.support.Config;
import dev.faultbox.plugin.support.Json;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;

/**
 * A kafka mock's {@code config=}, checked once by {@code prepare}: {@code topics} (name → a list of
 * seed messages, or {@code {"partitions": n, "messages": [...]}}), {@code partitions} (the default
 * count, 1) and {@code auto_create} (True). A seed message is a str (its value) or a dict with
 * {@code key}, {@code value} (str, bytes, or a dict/list written as JSON), {@code headers} and
 * {@code partition}; without a partition a keyed message goes where the Java client's default
 * partitioner puts it (murmur2 of the key), an unkeyed one to partition 0.
 */
record KafkaSettings(Map<String, TopicSeed> topics, int partitions, boolean autoCreate) {

  static final List<String> KEYS = List.of("auto_create", "partitions", "topics");
  static final List<String> MESSAGE_KEYS = List.of("headers", "key", "partition", "value");
  static final int MAX_PARTITIONS = 1000;

  record Message(int partition, byte[] key, byte[] value, Map<String, byte[]> headers) {}

  record TopicSeed(int partitions, List<Message> messages) {}

  static KafkaSettings of(MockDefinition definition) throws InvalidMockException {
    if (!definition.routes().isEmpty() || definition.defaultResponse().isPresent()) {
      throw new InvalidMockException("a kafka mock takes no routes or default response; declare topics with"
          + " config={\"topics\": {...}} (kafka.broker(topics=...))");
    }
    Map<String, Object> config = definition.config();
    for (String key : config.keySet()) {
      if (!KEYS.contains(key)) {
        throw Config.unknownKey("kafka", key, KEYS);
      }
    }
    int partitions = config.get("partitions") == null ? 1
        : (int) Config.intIn("kafka", "partitions", config.get("partitions"), 1, MAX_PARTITIONS);
    boolean autoCreate = true;
    Object ac = config.get("auto_create");
    if (ac != null) {
      if (!(ac instanceof Boolean b)) {
        throw new InvalidMockException("kafka mock config \"auto_create\" must be a bool, got " + Config.starlarkType(ac));
      }
      autoCreate = b;
    }
    Map<String, TopicSeed> topics = new LinkedHashMap<>();
    Object t = config.get("topics");
    if (t != null) {
      if (!(t instanceof Map<?, ?> map)) {
        throw new InvalidMockException("kafka mock config \"topics\" must be a dict, got " + Config.starlarkType(t));
      }
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String name)) {
          throw new InvalidMockException("kafka mock topic names must be str, got " + Config.starlarkType(e.getKey()));
        }
        String invalid = Broker.invalidName(name);
        if (invalid != null) {
          throw new InvalidMockException("kafka mock topic \"" + name + "\": " + invalid);
        }
        topics.put(name, topic(name, e.getValue(), partitions));
      }
    }
    return new KafkaSettings(Map.copyOf(topics), partitions, autoCreate);
  }

  private static TopicSeed topic(String name, Object value, int defaultPartitions) throws InvalidMockException {
    int partitions = defaultPartitions;
    Object messages = value;
    if (value instanceof Map<?, ?> m) {
      for (Object k : m.keySet()) {
        if (!"partitions".equals(k) && !"messages".equals(k)) {
          throw new InvalidMockException("kafka mock topic \"" + name + "\" has no key \"" + k
              + "\"; accepted: messages, partitions");
        }
      }
      if (m.get("partitions") != null) {
        partitions = (int) Config.intIn("kafka", "topics[\"" + name + "\"][\"partitions\"]", m.get("partitions"), 1, MAX_PARTITIONS);
      }
      messages = m.get("messages");
    }
    List<Message> seeds = new ArrayList<>();
    if (messages != null) {
      if (!(messages instanceof List<?> list)) {
        throw new InvalidMockException("kafka mock topic \"" + name + "\": messages must be a list, got "
            + Config.starlarkType(messages));
      }
      for (Object item : list) {
        seeds.add(message(name, item, partitions));
      }
    }
    return new TopicSeed(partitions, List.copyOf(seeds));
  }

  private static Message message(String topic, Object item, int partitions) throws InvalidMockException {
    String where = "kafka mock topic \"" + topic + "\": ";
    if (!(item instanceof Map<?, ?> m)) {
      byte[] value = bytes(item);
      if (value == null) {
        throw new InvalidMockException(where + "a message is a str or a dict, got " + Config.starlarkType(item));
      }
      return new Message(0, null, value, Map.of());
    }
    for (Object k : m.keySet()) {
      if (!MESSAGE_KEYS.contains(k)) {
        throw new InvalidMockException(where + "a message has no key \"" + k + "\"; accepted: " + String.join(", ", MESSAGE_KEYS));
      }
    }
    byte[] key = m.get("key") == null ? null : bytes(m.get("key"));
    if (m.get("key") != null && key == null) {
      throw new InvalidMockException(where + "a message key is a str, got " + Config.starlarkType(m.get("key")));
    }
    Object v = m.get("value");
    byte[] value = v == null ? null
        : v instanceof Map || v instanceof List ? Json.write(v).getBytes(StandardCharsets.UTF_8) : bytes(v);
    if (v != null && value == null) {
      throw new InvalidMockException(where + "a message value is a str, bytes or a dict, got " + Config.starlarkType(v));
    }
    Map<String, byte[]> headers = new LinkedHashMap<>();
    if (m.get("headers") != null) {
      if (!(m.get("headers") instanceof Map<?, ?> h)) {
        throw new InvalidMockException(where + "message headers are a dict, got " + Config.starlarkType(m.get("headers")));
      }
      for (Map.Entry<?, ?> e : h.entrySet()) {
        byte[] hv = bytes(e.getValue());
        if (!(e.getKey() instanceof String hk) || hv == null) {
          throw new InvalidMockException(where + "message headers map str to str");
        }
        headers.put(hk, hv);
      }
    }
    int partition;
    if (m.get("partition") != null) {
      partition = (int) Config.intIn("kafka", "topics[\"" + topic + "\"] message partition", m.get("partition"), 0, partitions - 1);
    } else {
      partition = key == null ? 0 : Utils.toPositive(Utils.murmur2(key)) % partitions;
    }
    return new Message(partition, key, value, headers);
  }

  private static byte[] bytes(Object v) {
    if (v instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    if (v instanceof byte[] b) {
      return b.clone();
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Boolean || v instanceof Double) {
      return Json.write(v).getBytes(StandardCharsets.UTF_8);
    }
    return null;
  }
}
