package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference page's Kafka mock, as written but on a free port, driven from a spec. */
class KafkaSpecTest {
  @TempDir Path dir;

  @Test
  void thePagesKafkaBrokerPublishesConsumesAndRecordsEvents() throws Exception {
    int port = FreePorts.tcp();
    Path spec = dir.resolve("bus.star");
    Files.writeString(spec, """
        load("@faultbox/mocks/kafka.star", "kafka")
        load("@faultbox/recipes/kafka.star", "kafka_faults")

        bus = kafka.broker(
            name      = "bus",
            interface = interface("main", "kafka", %d),
            topics    = {"orders": [], "payments": []},
        )

        seeded = kafka.broker("seeded", interface = interface("main", "kafka", %d),
            topics = {"events": {"partitions": 3, "messages": ["a", {"key": "k", "value": {"n": 1}, "partition": 2}]}})

        def test_kafka_basic():
            r = bus.publish(topic = "orders", key = "o-1", value = "created")
            assert_true(r.ok, r.error)
            assert_eq(r.json["offset"], 0)
            assert_eq(events().where(service = "bus", op = "produce", topic = "orders").count(), 1)
            assert_eq(events().where(service = "bus", op = "produce", key = "o-1").count(), 1)

        def test_publish_then_consume():
            bus.publish(topic = "payments", data = "p-1")
            m = bus.consume(topic = "payments", timeout = "2s")
            assert_eq(m.json["value"], "p-1")
            assert_eq(bus.consume(topic = "payments", timeout = "200ms").ok, False)

        def test_seeds():
            m = seeded.consume(topic = "events", timeout = "2s")
            assert_eq(m.json["value"], "a")
            m = seeded.consume(topic = "events", timeout = "2s")
            assert_eq(m.json["partition"], 2)
            assert_eq(m.json["value"], '{"n":1}')

        def test_fault():
            r = fault(bus.main, kafka_faults.not_leader_for_partition(topic = "orders"),
                      run = lambda: bus.publish(topic = "orders", value = "x"))
            assert_true(not r.ok and "NOT_LEADER_OR_FOLLOWER" in r.error, r.error)
            assert_true(bus.publish(topic = "payments", value = "y").ok)
        """.formatted(port, FreePorts.tcp()));
    Cli r = Cli.run("test", spec.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("4 passed, 0 failed");
  }
}
