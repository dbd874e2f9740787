package dev.faultbox.plugin.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import com.mongodb.bulk.BulkWriteResult;
import dev.faultbox.spi.MockEvent;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** The official sync driver, used as an application uses it, against a seeded mock. */
class SyncDriverTest extends MockTestSupport {

  @Test
  void readsTheSeedsAndRecordsOneEventPerCommand() throws Exception {
    int port = start(PAGE_SEED);
    MongoClient client = client(port);
    List<Document> admins = client.getDatabase("app").getCollection("users")
        .find(Filters.eq("role", "admin")).into(new java.util.ArrayList<>());
    assertThat(admins).extracting(d -> d.getString("name")).containsExactly("alice");
    MockEvent find = events("find").get(0);
    assertThat(find.fields()).containsEntry("db", "app").containsEntry("collection", "users")
        .containsEntry("filter", "{\"role\": \"admin\"}").containsEntry("n", 1);
    assertThat(context.recorded()).extracting(MockEvent::op).contains("isMaster");
  }

  @Test
  void aLongFilterIsCutAt1KiBInTheEvent() throws Exception {
    int port = start(PAGE_SEED);
    String name = "n".repeat(3000);
    client(port).getDatabase("app").getCollection("users").find(Filters.eq("name", name)).first();
    String filter = (String) events("find").get(0).fields().get("filter");
    assertThat(filter).hasSize(1024).startsWith("{\"name\": \"nnn").endsWith("…");
  }

  @Test
  void aRepositoryDoesCrudAndAggregation() throws Exception {
    int port = start(Map.of());
    UserRepository users = new UserRepository(client(port), "app");
    users.add("carol", "user", "carol@example.com", 31);
    users.add("dave", "user", "dave@example.com", 17);
    users.add("erin", "admin", "erin@example.com", 45);
    assertThat(users.byName("dave")).get().extracting(d -> d.getInteger("age")).isEqualTo(17);
    assertThat(users.namesWithRole("user")).containsExactly("carol", "dave");
    assertThat(users.promote("carol")).isEqualTo(1);
    assertThat(users.namesWithRole("admin")).containsExactly("carol", "erin");
    assertThat(users.adults()).isEqualTo(2);
    assertThat(users.countByRole()).extracting(d -> d.getString("_id") + "=" + d.getInteger("count"))
        .containsExactly("admin=2", "user=1");
    assertThat(users.remove("dave")).isEqualTo(1);
    assertThat(users.byName("dave")).isEmpty();
    assertThat(events("update").get(0).fields()).containsEntry("n", 1).containsEntry("filter", "{\"name\": \"carol\"}");
    assertThat(events("delete").get(0).fields()).containsEntry("n", 1);
    assertThat(events("insert")).hasSize(3);
  }

  @Test
  void aUniqueIndexRefusesADuplicateWithE11000() throws Exception {
    int port = start(Map.of());
    UserRepository users = new UserRepository(client(port), "app");
    users.ensureUniqueEmail();
    users.add("carol", "user", "carol@example.com", 31);
    assertThatThrownBy(() -> users.add("carol2", "user", "carol@example.com", 32))
        .isInstanceOfSatisfying(MongoWriteException.class, e -> {
          assertThat(e.getError().getCategory()).isEqualTo(ErrorCategory.DUPLICATE_KEY);
          assertThat(e.getError().getMessage()).startsWith("E11000 duplicate key error");
        });
    MockEvent refused = events("insert").get(1);
    assertThat(refused.fields()).containsEntry("code", 11000);
    assertThat((String) refused.fields().get("error")).startsWith("E11000");
  }

  @Test
  void bulkWritesReportWriteErrorsByIndex() throws Exception {
    int port = start(Map.of("collections", Map.of("orders", List.of(Map.of("_id", 1L, "total", 5L)))));
    MongoCollection<Document> orders = client(port).getDatabase("shop").getCollection("orders");
    List<WriteModel<Document>> writes = List.of(
        new InsertOneModel<>(new Document("_id", 2L).append("total", 7L)),
        new InsertOneModel<>(new Document("_id", 1L).append("total", 9L)), // a duplicate
        new UpdateOneModel<>(Filters.eq("_id", 2L), Updates.inc("total", 1L)),
        new DeleteOneModel<>(Filters.eq("_id", 1L)));
    assertThatThrownBy(() -> orders.bulkWrite(writes, new BulkWriteOptions().ordered(false)))
        .isInstanceOfSatisfying(MongoBulkWriteException.class, e -> {
          assertThat(e.getWriteErrors()).hasSize(1);
          assertThat(e.getWriteErrors().get(0).getIndex()).isEqualTo(1);
          assertThat(e.getWriteErrors().get(0).getCode()).isEqualTo(11000);
        });
    assertThat(orders.find().into(new java.util.ArrayList<>())).extracting(d -> d.get("_id") + ":" + d.get("total"))
        .containsExactly("2:8");
    orders.insertOne(new Document("_id", 3L));
    BulkWriteResult ordered = orders.bulkWrite(List.of(
        new UpdateOneModel<>(Filters.eq("_id", 3L), Updates.set("total", 1L)),
        new DeleteOneModel<>(Filters.eq("_id", 2L))));
    assertThat(ordered.getModifiedCount()).isEqualTo(1);
    assertThat(ordered.getDeletedCount()).isEqualTo(1);
  }
}
