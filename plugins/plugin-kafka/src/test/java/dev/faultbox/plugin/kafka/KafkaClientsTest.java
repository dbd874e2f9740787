package dev.faultbox.plugin.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.spi.MockEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The mock against kafka-clients' own producer, consumer and admin client over loopback. */
class KafkaClientsTest extends MockTestSupport {

  KafkaProducer<String, String> producer(int port, Map<String, Object> extra) {
    Properties p = props(port);
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    p.put("delivery.timeout.ms", 10_000);
    p.put("request.timeout.ms", 5_000);
    p.putAll(extra);
    return client(new KafkaProducer<>(p));
  }

  KafkaConsumer<String, String> consumer(int port, String group, Map<String, Object> extra) {
    Properties p = props(port);
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    p.put("auto.offset.reset", "earliest");
    if (group != null) {
      p.put("group.id", group);
    }
    p.putAll(extra);
    return client(new KafkaConsumer<>(p));
  }

  static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> c, int count, Duration within) {
    List<ConsumerRecord<String, String>> got = new ArrayList<>();
    long deadline = System.nanoTime() + within.toNanos();
    while (got.size() < count && System.nanoTime() < deadline) {
      ConsumerRecords<String, String> records = c.poll(Duration.ofMillis(100));
      records.forEach(got::add);
    }
    return got;
  }

  @Test
  void anIdempotentProducerWritesAndAConsumerGroupReadsBack() throws Exception {
    int port = start(Map.of("topics", Map.of("orders", List.of()), "partitions", 3L));
    KafkaProducer<String, String> producer = producer(port, Map.of()); // defaults: idempotent, acks=all
    List<RecordMetadata> sent = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      sent.add(producer.send(new ProducerRecord<>("orders", "k" + i, "v" + i)).get(10, TimeUnit.SECONDS));
    }
    assertThat(sent).extracting(RecordMetadata::partition).contains(0, 1, 2);
    assertThat(context.recorded("produce")).hasSize(30);
    MockEvent first = context.recorded("produce").get(0);
    assertThat(first.fields()).containsEntry("topic", "orders").containsKeys("partition", "offset", "key", "value", "value_size");

    KafkaConsumer<String, String> consumer = consumer(port, "billing", Map.of());
    consumer.subscribe(List.of("orders"));
    List<ConsumerRecord<String, String>> got = pollUntil(consumer, 30, Duration.ofSeconds(15));
    assertThat(got).hasSize(30);
    assertThat(got).extracting(ConsumerRecord::value).contains("v0", "v29");
    consumer.commitSync();
    assertThat(context.recorded("commit")).isNotEmpty();
    assertThat(context.recorded("join")).isNotEmpty();
    assertThat(context.recorded("fetch")).isNotEmpty();
  }

  @Test
  void seededMessagesAreReadFromOffsetZero() throws Exception {
    int port = start(Map.of("topics", Map.of("payments", List.of("first",
        Map.of("key", "k", "value", Map.of("amount", 5L), "headers", Map.of("h", "v"))))));
    KafkaConsumer<String, String> consumer = consumer(port, null, Map.of());
    consumer.assign(List.of(new org.apache.kafka.common.TopicPartition("payments", 0)));
    consumer.seekToBeginning(consumer.assignment());
    List<ConsumerRecord<String, String>> got = pollUntil(consumer, 2, Duration.ofSeconds(10));
    assertThat(got).extracting(ConsumerRecord::offset).containsExactly(0L, 1L);
    assertThat(got.get(0).value()).isEqualTo("first");
    assertThat(got.get(1).key()).isEqualTo("k");
    assertThat(got.get(1).value()).isEqualTo("{\"amount\":5}");
    assertThat(new String(got.get(1).headers().lastHeader("h").value())).isEqualTo("v");
    assertThat(context.recorded("produce")).isEmpty(); // seeds are state, not traffic
  }

  @Test
  void aGroupOfTwoRebalancesWhenOneLeaves() throws Exception {
    int port = start(Map.of("topics", Map.of("jobs", Map.of("partitions", 4L))));
    Map<String, Object> fast = Map.of("heartbeat.interval.ms", 200, "session.timeout.ms", 6000);
    KafkaConsumer<String, String> a = consumer(port, "workers", fast);
    KafkaConsumer<String, String> b = consumer(port, "workers", fast);
    a.subscribe(List.of("jobs"));
    b.subscribe(List.of("jobs"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline && (a.assignment().size() + b.assignment().size() != 4
        || a.assignment().isEmpty() || b.assignment().isEmpty())) {
      a.poll(Duration.ofMillis(50));
      b.poll(Duration.ofMillis(50));
    }
    assertThat(a.assignment()).hasSize(2);
    assertThat(b.assignment()).hasSize(2);
    b.close();
    clients.remove(b);
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline && a.assignment().size() != 4) {
      a.poll(Duration.ofMillis(50));
    }
    assertThat(a.assignment()).hasSize(4);
    assertThat(context.recorded("leave")).hasSize(1);
    assertThat(context.recorded("rebalance").size()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void adminDescribesTheClusterAndManagesTopics() throws Exception {
    int port = start(Map.of("topics", Map.of("orders", List.of())));
    Admin admin = client(Admin.create(props(port)));
    var cluster = admin.describeCluster();
    assertThat(cluster.nodes().get(10, TimeUnit.SECONDS)).hasSize(1);
    assertThat(cluster.controller().get(10, TimeUnit.SECONDS).port()).isEqualTo(port);
    assertThat(cluster.clusterId().get(10, TimeUnit.SECONDS)).isNotBlank();
    admin.createTopics(List.of(new NewTopic("audit", 3, (short) 1))).all().get(10, TimeUnit.SECONDS);
    assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains("orders", "audit");
    TopicDescription audit = admin.describeTopics(List.of("audit")).allTopicNames().get(10, TimeUnit.SECONDS).get("audit");
    assertThat(audit.partitions()).hasSize(3);
    assertThat(audit.topicId().toString()).isNotEqualTo("AAAAAAAAAAAAAAAAAAAAAA");
    admin.deleteTopics(List.of("audit")).all().get(10, TimeUnit.SECONDS);
    assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("audit");
    var configs = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "orders"))).all().get(10, TimeUnit.SECONDS);
    assertThat(configs.values().iterator().next().get("cleanup.policy").value()).isEqualTo("delete");
    assertThat(admin.listGroups().all().get(10, TimeUnit.SECONDS)).isEmpty();
    Set<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS);
    assertThat(topics).containsExactly("orders");
  }

  @Test
  void transactionsCommitAndAbortForReadCommittedConsumers() throws Exception {
    int port = start(Map.of("topics", Map.of("ledger", List.of())));
    KafkaProducer<String, String> producer = producer(port, Map.of("transactional.id", "tx-1"));
    producer.initTransactions();
    producer.beginTransaction();
    producer.send(new ProducerRecord<>("ledger", "a", "committed-1"));
    producer.send(new ProducerRecord<>("ledger", "b", "committed-2"));
    producer.commitTransaction();
    producer.beginTransaction();
    producer.send(new ProducerRecord<>("ledger", "c", "aborted"));
    producer.flush();
    producer.abortTransaction();
    producer.beginTransaction();
    producer.send(new ProducerRecord<>("ledger", "d", "committed-3"));
    producer.commitTransaction();

    KafkaConsumer<String, String> committed = consumer(port, "readers", Map.of("isolation.level", "read_committed"));
    committed.subscribe(List.of("ledger"));
    assertThat(pollUntil(committed, 3, Duration.ofSeconds(15))).extracting(ConsumerRecord::value)
        .containsExactly("committed-1", "committed-2", "committed-3");
    KafkaConsumer<String, String> all = consumer(port, "auditors", Map.of());
    all.subscribe(List.of("ledger"));
    assertThat(pollUntil(all, 4, Duration.ofSeconds(15))).extracting(ConsumerRecord::value)
        .containsExactly("committed-1", "committed-2", "aborted", "committed-3");
    assertThat(context.recorded("txn")).extracting(e -> e.fields().get("result")).containsExactly("commit", "abort", "commit");
  }
}
