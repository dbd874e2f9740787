package dev.faultbox.plugin.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultProbe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** Fault decisions on commands, as the drivers see them: the exception an application would catch. */
class FaultsTest extends MockTestSupport {

  static final Map<String, Object> SEED = Map.of("collections", Map.of(
      "orders", List.of(Map.of("_id", 1L, "total", 5L)),
      "users", List.of(Map.of("_id", "1", "name", "alice"))));

  /** Lays {@code decision} on commands named {@code op} on {@code collection}. */
  void fault(String op, String collection, FaultDecision decision) {
    context.setFaultGate((FaultProbe probe) -> probe.op().equals(op)
        && collection.equals(probe.attributes().get("collection")) ? decision : FaultDecision.PASS);
  }

  static FaultDecision error(int code, String message) {
    return new FaultDecision(FaultDecision.Action.ERROR, Duration.ZERO, code, message, Optional.of("f"));
  }

  @Test
  void aDuplicateKeyFaultIsAWriteErrorTheDriverRaises() throws Exception {
    int port = start(SEED);
    MongoDatabase db = client(port).getDatabase("shop");
    fault("insert", "orders", error(11000, "E11000 duplicate key error collection: shop.orders index: _id_ dup key"));
    assertThatThrownBy(() -> db.getCollection("orders").insertOne(new Document("_id", 2L)))
        .isInstanceOfSatisfying(MongoWriteException.class,
            e -> assertThat(e.getError().getCategory()).isEqualTo(ErrorCategory.DUPLICATE_KEY));
    db.getCollection("users").insertOne(new Document("_id", "2")); // another collection: served
    assertThat(db.getCollection("orders").countDocuments()).isEqualTo(1); // the faulted write never happened
    assertThat(events("insert").get(0).fields()).containsEntry("fault", "f").containsEntry("code", 11000)
        .containsEntry("collection", "orders").containsEntry("n", 0);
  }

  @Test
  void anErrorCodeBecomesTheCommandErrorOfThatCode() throws Exception {
    int port = start(SEED);
    MongoCollection<Document> orders = client(port).getDatabase("shop").getCollection("orders");
    fault("find", "orders", error(50, "operation exceeded time limit"));
    assertThatThrownBy(() -> orders.find().first()).isInstanceOf(MongoExecutionTimeoutException.class);
    fault("insert", "orders", error(10107, "not primary"));
    assertThatThrownBy(() -> orders.insertOne(new Document("_id", 3L)))
        .isInstanceOfSatisfying(MongoServerException.class, e -> assertThat(e.getCode()).isEqualTo(10107));
    assertThat(events("find").get(0).fields()).containsEntry("code", 50)
        .containsEntry("error", "operation exceeded time limit");
  }

  @Test
  void aDelayHoldsTheCommandThenServesIt() throws Exception {
    int port = start(SEED);
    MongoCollection<Document> orders = client(port).getDatabase("shop").getCollection("orders");
    orders.countDocuments(); // connected, so the delay is the command's alone
    fault("find", "orders", new FaultDecision(FaultDecision.Action.PASS, Duration.ofMillis(400), 0, "", Optional.of("slow")));
    long started = System.nanoTime();
    assertThat(orders.find().first()).isNotNull();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    assertThat(events("find").get(0).fields()).containsEntry("fault", "slow").containsEntry("n", 1);
  }

  @Test
  void aDropClosesTheConnectionAndTheNextCommandIsServed() throws Exception {
    int port = start(SEED);
    MongoClient client = client(port);
    MongoCollection<Document> orders = client.getDatabase("shop").getCollection("orders");
    fault("find", "orders", new FaultDecision(FaultDecision.Action.DROP, Duration.ZERO, 0, "", Optional.of("cut")));
    assertThatThrownBy(() -> orders.find().first()).isInstanceOf(MongoSocketException.class);
    context.setFaultGate(dev.faultbox.spi.FaultGate.PASS_THROUGH);
    assertThat(orders.find().first()).isNotNull();
    assertThat(events("find").get(0).fields()).containsEntry("fault", "cut");
  }

  @Test
  void aResponseFaultAnswersWithItsDocument() throws Exception {
    int port = start(SEED);
    MongoDatabase db = client(port).getDatabase("shop");
    fault("count", "orders", new FaultDecision(FaultDecision.Action.RESPOND, Duration.ZERO, 0,
        "{\"n\": 42, \"ok\": 1}", Optional.of("canned")));
    assertThat(db.runCommand(new Document("count", "orders")).get("n")).isEqualTo(42);
  }
}
