package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.sut.OrderEvents;
import dev.faultbox.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

  @Test
  void aServiceProducingWithKafkaClientsIsObservedThroughEventsAndRidesOutFaults() throws Exception {
    // slf4j-simple is on this class path: switched off, so kafka-clients writes nothing to stderr
    // (the SUT's stderr lines are events the spec counts).
    Path launcher = dir.resolve("order-events.sh");
    Files.writeString(launcher, "#!/bin/sh\nexec java -Dorg.slf4j.simpleLogger.defaultLogLevel=off -cp '"
        + System.getProperty("java.class.path") + "' '" + OrderEvents.class.getName() + "'\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    int broker = FreePorts.tcp();
    int api = FreePorts.tcp();
    Path spec = dir.resolve("order-events.star");
    Files.writeString(spec, """
        load("@faultbox/mocks/kafka.star", "kafka")
        load("@faultbox/recipes/kafka.star", kafka_recipe = "kafka")

        bus = kafka.broker("bus", interface = interface("main", "kafka", %1$d), topics = {"orders": []})

        api = service("api", "./order-events.sh",
            interface("public", "http", %2$d),
            depends_on = [bus],
            env = {"KAFKA_BROKERS": bus.main.addr, "TOPIC": "orders", "PORT": str(%2$d)},
            healthcheck = http("localhost:%2$d/health"),
        )

        def test_each_order_is_one_record_on_orders():
            for n in range(3):
                r = api.post(path = "/order/o-" + str(n), body = {"total": n})
                assert_eq(r.status, 201, r.body)
                assert_eq(r.json["offset"], n)
            assert_eq(events().where(service = "bus", op = "produce", topic = "orders").count(), 3)
            e = events().where(service = "bus", op = "produce", key = "o-1").first()
            assert_eq(e.fields["value"], '{"total":1}')
            assert_eq(e.offset, 1)
            # Per request, op is the API's name: the producer's own Metadata and InitProducerId too.
            assert_true(events().where(service = "bus", op = "InitProducerId").count() == 1)
            assert_true(events().where(service = "bus", op = "Produce", topic = "orders").count() >= 1)
            m = bus.consume(topic = "orders", timeout = "2s")
            assert_eq(m.json["key"], "o-0")
            assert_eq(events().where(service = "api", type = "stderr").count(), 0)  # kafka-clients kept quiet

        def refused_then_lifted():
            r = api.post(path = "/order/o-9?async", body = {"total": 9})
            assert_eventually(events().where(service = "bus", op = "Produce", error = "NOT_LEADER_OR_FOLLOWER").count() >= 1)
            return r

        def test_not_leader_is_retried_by_the_producer():
            r = fault(bus.main, kafka_recipe.not_leader_for_partition(topic = "orders"), run = refused_then_lifted)
            assert_eq(r.status, 202)
            assert_eventually(api.get(path = "/stats").json["acked"] == 1)
            assert_eq(api.get(path = "/stats").json["failed"], 0)
            assert_eq(events().where(service = "bus", op = "produce", key = "o-9").count(), 1)
            assert_eq(events().where(service = "api", type = "stderr").count(), 0)

        def test_an_overloaded_broker_gives_503():
            r = fault(bus.main, kafka_recipe.broker_overloaded(topic = "orders"),
                      run = lambda: api.post(path = "/order/o-5", body = {"total": 5}))
            assert_eq(r.status, 503)
            assert_true(events().where(service = "bus", op = "Produce", error = "REQUEST_TIMED_OUT").count() >= 2)
            assert_eq(events().where(service = "bus", op = "produce").count(), 0)
            assert_eventually(events().where(service = "api", type = "stderr", line = "kafka failed: *").count() == 1)
            assert_eq(api.post(path = "/order/o-6", body = {"total": 6}).status, 201)  # the fault lifted
            assert_eq(events().where(service = "bus", op = "produce", key = "o-6").count(), 1)
        """.formatted(broker, api));
    Cli r = Cli.run("test", spec.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).endsWith("3 passed, 0 failed\n");
  }
}
