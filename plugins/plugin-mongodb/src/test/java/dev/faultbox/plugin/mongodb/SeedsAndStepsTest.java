package dev.faultbox.plugin.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import dev.faultbox.plugin.support.Json;
import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.StepException;
import dev.faultbox.spi.StepResult;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/** Seeds as extended JSON, where they appear, a fresh state per start, bad config, and the steps. */
class SeedsAndStepsTest extends MockTestSupport {

  private StepResult.Response step(int port, String name, Map<String, Object> kwargs) {
    return (StepResult.Response) factory.steps().get(name)
        .call(Endpoint.plain("users-stub", "main", "mongodb", "127.0.0.1", port), kwargs);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(StepResult.Response r) {
    return (List<Map<String, Object>>) Json.parse(r.bodyText());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(StepResult.Response r) {
    return (Map<String, Object>) Json.parse(r.bodyText());
  }

  @Test
  void withoutADatabaseTheSeedsAppearInEveryDatabaseAClientNames() throws Exception {
    int port = start(PAGE_SEED);
    MongoClient client = client(port);
    assertThat(client.getDatabase("app").getCollection("users").countDocuments()).isEqualTo(2);
    assertThat(client.getDatabase("other").getCollection("users").countDocuments()).isEqualTo(2);
    client.getDatabase("app").getCollection("users").deleteMany(new Document());
    assertThat(client.getDatabase("other").getCollection("users").countDocuments())
        .as("each database has its own copy").isEqualTo(2);
    assertThat(client.getDatabase("x").listCollectionNames().into(new java.util.ArrayList<>())).contains("users");
  }

  @Test
  void withADatabaseTheSeedsAreThereOnly() throws Exception {
    Map<String, Object> config = new LinkedHashMap<>(PAGE_SEED);
    config.put("database", "app");
    int port = start(config);
    MongoClient client = client(port);
    assertThat(client.getDatabase("app").getCollection("users").countDocuments()).isEqualTo(2);
    assertThat(client.getDatabase("test").getCollection("users").countDocuments()).isZero();
    assertThat(client.listDatabaseNames().into(new java.util.ArrayList<>())).contains("app");
  }

  @Test
  void extendedJsonSeedsKeepTheirTypesAndIdsAreMadeWhenAbsent() throws Exception {
    int port = start(Map.of("collections", Map.of("events", List.of(
        Map.of("_id", Map.of("$oid", "65a1b2c3d4e5f60718293a4b"), "at", Map.of("$date", "2024-01-02T03:04:05Z"),
            "big", Map.of("$numberLong", "9007199254740993"), "n", 7L),
        Map.of("name", "no id")))));
    List<Document> docs = client(port).getDatabase("app").getCollection("events").find()
        .into(new java.util.ArrayList<>());
    Document first = docs.get(0);
    assertThat(first.get("_id")).isEqualTo(new ObjectId("65a1b2c3d4e5f60718293a4b"));
    assertThat(first.get("at")).isEqualTo(Date.from(java.time.Instant.parse("2024-01-02T03:04:05Z")));
    assertThat(first.get("big")).isEqualTo(9007199254740993L);
    assertThat(first.get("n")).isEqualTo(7);
    assertThat(docs.get(1).get("_id")).isInstanceOf(ObjectId.class);
  }

  @Test
  void everyStartBeginsFromTheSeeds() throws Exception {
    MongoFactory.Prepared prepared = factory.prepare(users(PAGE_SEED).port(dev.faultbox.testkit.FreePorts.tcp()).build());
    for (int round = 0; round < 2; round++) {
      MockServer server = factory.start(prepared, context);
      try (MongoClient client = com.mongodb.client.MongoClients.create(settings(server.address().getPort()).build())) {
        var users = client.getDatabase("app").getCollection("users");
        assertThat(users.countDocuments()).as("round " + round).isEqualTo(2);
        users.insertOne(new Document("name", "carol"));
        assertThat(users.countDocuments()).isEqualTo(3);
      } finally {
        server.close();
      }
    }
  }

  @Test
  void badSeedsFailPrepareWithOneLineNamingTheProblem() {
    assertPrepareFails(Map.of("collections", List.of()), "mongodb mock collections must be a dict");
    assertPrepareFails(Map.of("collections", Map.of("users", Map.of())), "collection \"users\" must be a list");
    assertPrepareFails(Map.of("collections", Map.of("users", List.of("alice"))), "document 0 must be a dict, got str");
    assertPrepareFails(Map.of("collections", Map.of("users", List.of(Map.of("_id", Map.of("$oid", "zz"))))),
        "document 0 is not valid extended JSON");
    assertPrepareFails(Map.of("collections", Map.of("users", List.of(Map.of("_id", "1"), Map.of("_id", "1")))),
        "document 1 repeats {\"_id\": \"1\"}; each _id must be unique");
    assertPrepareFails(Map.of("collections", Map.of("system.users", List.of())), "is not valid");
    assertPrepareFails(Map.of("database", "a.b"), "database \"a.b\" may not contain '.'");
    assertPrepareFails(Map.of("databse", "app"), "has no key \"databse\"; accepted: collections, database");
  }

  private void assertPrepareFails(Map<String, Object> config, String message) {
    assertThatThrownBy(() -> factory.prepare(users(config).build()))
        .isInstanceOf(InvalidMockException.class)
        .satisfies(e -> assertThat(e.getMessage()).contains(message).doesNotContain("\n"));
  }

  @Test
  void stepsReadAndWriteInTheOriginalsShapes() throws Exception {
    int port = start(PAGE_SEED);
    StepResult.Response found = step(port, "find", Map.of("collection", "users", "filter", Map.of("role", "admin")));
    assertThat(found.ok()).isTrue();
    assertThat(found.status()).isZero();
    assertThat(list(found)).containsExactly(Map.of("_id", "1", "name", "alice", "role", "admin"));

    StepResult.Response inserted = step(port, "insert", Map.of("collection", "users",
        "document", Map.of("_id", "3", "name", "carol", "role", "user", "age", 40L)));
    assertThat(map(inserted)).containsEntry("inserted_id", "3");
    StepResult.Response many = step(port, "insert_many", Map.of("collection", "users",
        "documents", List.of(Map.of("name", "dave", "role", "user"), Map.of("name", "erin", "role", "user"))));
    assertThat(map(many)).containsEntry("n", 2L);

    StepResult.Response sorted = step(port, "find", Map.of("collection", "users", "filter", Map.of("role", "user"),
        "sort", Map.of("name", -1L), "projection", Map.of("_id", 0L, "name", 1L), "limit", 3L));
    assertThat(list(sorted)).containsExactly(Map.of("name", "erin"), Map.of("name", "dave"), Map.of("name", "carol"));

    StepResult.Response updated = step(port, "update", Map.of("collection", "users", "filter", Map.of("role", "user"),
        "update", Map.of("$set", Map.of("role", "member")), "many", true));
    assertThat(map(updated)).containsEntry("matched", 4L).containsEntry("modified", 4L);
    StepResult.Response upserted = step(port, "update", Map.of("collection", "users", "filter", Map.of("_id", "9"),
        "update", Map.of("$set", Map.of("name", "zed")), "upsert", true));
    assertThat(map(upserted)).containsEntry("upserted_id", "9");

    assertThat(map(step(port, "count", Map.of("collection", "users", "filter", Map.of("role", "member")))))
        .containsEntry("count", 4L);
    assertThat(map(step(port, "delete", Map.of("collection", "users", "filter", Map.of("role", "member"), "many", true))))
        .containsEntry("deleted", 4L);
    StepResult.Response grouped = step(port, "aggregate", Map.of("collection", "users", "pipeline", List.of(
        Map.of("$group", Map.of("_id", "$role", "n", Map.of("$sum", 1L))), Map.of("$sort", Map.of("_id", 1L)))));
    assertThat(list(grouped)).extracting(d -> d.get("_id")).containsExactly(null, "admin");
    StepResult.Response ping = step(port, "command", Map.of("command", Map.of("ping", 1L)));
    assertThat(map(ping)).containsEntry("ok", 1.0);
    assertThat(events("find")).hasSize(2);
  }

  @Test
  void closingTheMockEndsItsStepClientsThreads() throws Exception {
    MockServer server = factory.start(factory.prepare(users(PAGE_SEED).port(dev.faultbox.testkit.FreePorts.tcp()).build()), context);
    int port = server.address().getPort();
    assertThat(step(port, "count", Map.of("collection", "users")).ok()).isTrue();
    java.util.function.Supplier<List<String>> driverThreads = () -> Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive).map(Thread::getName).filter(n -> n.contains(":" + port)).toList();
    assertThat(driverThreads.get()).as("the step client monitors the mock").isNotEmpty();
    server.close();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    while (!driverThreads.get().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(driverThreads.get()).isEmpty();
  }

  @Test
  void aStepsErrorIsNotOkWithTheServersCode() throws Exception {
    int port = start(PAGE_SEED);
    StepResult.Response dup = step(port, "insert", Map.of("collection", "users", "document", Map.of("_id", "1")));
    assertThat(dup.ok()).isFalse();
    assertThat(dup.status()).isEqualTo(11000);
    assertThat(dup.error()).startsWith("E11000 duplicate key error");
    StepResult.Response unknown = step(port, "command", Map.of("command", Map.of("frobnicate", 1L)));
    assertThat(unknown.status()).isEqualTo(59);
    assertThat(unknown.error()).isEqualTo("no such command: 'frobnicate'");
    assertThatThrownBy(() -> step(port, "find", Map.of("filter", Map.of())))
        .isInstanceOf(StepException.class).hasMessage("find() requires collection=");
    assertThatThrownBy(() -> step(port, "find", Map.of("collection", "users", "filter", "x")))
        .isInstanceOf(StepException.class).hasMessage("find() filter= must be a dict, got str");
    assertThatThrownBy(() -> step(port, "find", Map.of("collection", "users", "colour", "x")))
        .isInstanceOf(StepException.class).hasMessageStartingWith("find() has no parameter colour=");
  }
}
