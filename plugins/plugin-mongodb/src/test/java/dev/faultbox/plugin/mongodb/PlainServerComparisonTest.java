package dev.faultbox.plugin.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The same operations on the mock and on the library's own in-memory server give the same
 * results: the wrapper changes nothing but events and faults.
 */
class PlainServerComparisonTest extends MockTestSupport {

  private MongoServer plain;

  @AfterEach
  void stopPlain() {
    if (plain != null) {
      plain.shutdownNow();
    }
  }

  static final List<Map<String, Object>> ORDERS = List.of(
      Map.of("_id", 1L, "customer", "alice", "status", "paid", "total", 30L, "items", List.of("book", "pen"),
          "address", Map.of("city", "Berlin")),
      Map.of("_id", 2L, "customer", "bob", "status", "open", "total", 12L, "items", List.of("pen"),
          "address", Map.of("city", "Paris")),
      Map.of("_id", 3L, "customer", "alice", "status", "open", "total", 55L, "items", List.of("lamp", "book"),
          "address", Map.of("city", "Berlin")),
      Map.of("_id", 4L, "customer", "carol", "status", "paid", "total", 8L, "items", List.of(),
          "address", Map.of("city", "Rome")));

  static final List<Map<String, Object>> CUSTOMERS = List.of(
      Map.of("_id", "alice", "tier", "gold"), Map.of("_id", "bob", "tier", "silver"));

  /** Every operation of the sample, by name, each returning what an application would look at. */
  static Map<String, Function<MongoDatabase, Object>> sample() {
    Map<String, Function<MongoDatabase, Object>> ops = new LinkedHashMap<>();
    ops.put("find comparison+sort+projection", db -> find(db, Document.parse("{\"total\": {\"$gte\": 10, \"$lt\": 50}}"),
        Document.parse("{\"total\": -1}"), Document.parse("{\"customer\": 1, \"total\": 1}"), 0, 0));
    ops.put("find logical", db -> find(db, Document.parse("{\"$or\": [{\"status\": \"paid\"}, {\"total\": {\"$gt\": 50}}]}"),
        Document.parse("{\"_id\": 1}"), null, 0, 0));
    ops.put("find element+array", db -> find(db, Document.parse(
        "{\"items\": {\"$in\": [\"pen\"]}, \"address\": {\"$exists\": true}, \"items.1\": {\"$exists\": true}}"), null, null, 0, 0));
    ops.put("find dotted+regex", db -> find(db, Document.parse("{\"address.city\": {\"$regex\": \"^B\"}, \"customer\": {\"$regex\": \"ali\"}}"),
        null, null, 0, 0));
    ops.put("find skip+limit", db -> find(db, new Document(), Document.parse("{\"_id\": 1}"), null, 1, 2));
    ops.put("find $all+$size+$elemMatch", db -> find(db, Document.parse(
        "{\"$and\": [{\"items\": {\"$all\": [\"book\"]}}, {\"items\": {\"$size\": 2}}]}"), null, null, 0, 0));
    ops.put("count", db -> db.getCollection("orders").countDocuments(Document.parse("{\"status\": \"open\"}")));
    ops.put("distinct", db -> db.getCollection("orders").distinct("customer", String.class).into(new ArrayList<>()));
    ops.put("aggregate group+sort", db -> aggregate(db, "[{\"$match\": {\"total\": {\"$gt\": 0}}},"
        + "{\"$group\": {\"_id\": \"$customer\", \"sum\": {\"$sum\": \"$total\"}, \"n\": {\"$sum\": 1}}}, {\"$sort\": {\"sum\": -1}}]"));
    ops.put("aggregate unwind+project+skip+limit", db -> aggregate(db, "[{\"$unwind\": \"$items\"},"
        + "{\"$project\": {\"_id\": 0, \"item\": \"$items\", \"who\": \"$customer\"}}, {\"$sort\": {\"item\": 1, \"who\": 1}},"
        + "{\"$skip\": 1}, {\"$limit\": 3}]"));
    ops.put("aggregate lookup", db -> aggregate(db, "[{\"$match\": {\"_id\": {\"$in\": [1, 2]}}}, {\"$lookup\": {\"from\": \"customers\","
        + "\"localField\": \"customer\", \"foreignField\": \"_id\", \"as\": \"who\"}}, {\"$sort\": {\"_id\": 1}}]"));
    ops.put("aggregate count", db -> aggregate(db, "[{\"$match\": {\"status\": \"paid\"}}, {\"$count\": \"paid\"}]"));
    ops.put("update operators", db -> {
      var orders = db.getCollection("orders");
      orders.updateOne(Document.parse("{\"_id\": 1}"), Document.parse(
          "{\"$set\": {\"status\": \"shipped\"}, \"$inc\": {\"total\": 5}, \"$push\": {\"items\": \"mug\"}, \"$unset\": {\"address\": \"\"}}"));
      orders.updateOne(Document.parse("{\"_id\": 3}"), Document.parse("{\"$pull\": {\"items\": \"lamp\"}}"));
      orders.updateOne(Document.parse("{\"_id\": 3}"), Document.parse("{\"$addToSet\": {\"items\": {\"$each\": [\"book\", \"cup\"]}}}"));
      orders.updateOne(Document.parse("{\"_id\": 9}"), Document.parse("{\"$set\": {\"customer\": \"zed\"}}"), new UpdateOptions().upsert(true));
      orders.updateMany(Document.parse("{\"items\": {\"$exists\": true}}"), Document.parse("{\"$set\": {\"items.$[i]\": \"BOOK\"}}"),
          new UpdateOptions().arrayFilters(List.<Bson>of(Document.parse("{\"i\": \"book\"}"))));
      return find(db, new Document(), Document.parse("{\"_id\": 1}"), null, 0, 0);
    });
    ops.put("findAndModify+delete", db -> {
      var orders = db.getCollection("orders");
      Document before = orders.findOneAndUpdate(Document.parse("{\"_id\": 2}"), Document.parse("{\"$inc\": {\"total\": 1}}"),
          new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
      long deleted = orders.deleteMany(Document.parse("{\"status\": \"paid\"}")).getDeletedCount();
      return List.of(before.toJson(), deleted, orders.countDocuments());
    });
    return ops;
  }

  private static List<String> find(MongoDatabase db, Bson filter, Bson sort, Bson projection, int skip, int limit) {
    var find = db.getCollection("orders").find(filter).skip(skip).limit(limit);
    if (sort != null) {
      find.sort(sort);
    }
    if (projection != null) {
      find.projection(projection);
    }
    List<String> out = new ArrayList<>();
    find.forEach(d -> out.add(d.toJson()));
    return out;
  }

  private static List<String> aggregate(MongoDatabase db, String pipeline) {
    List<Bson> stages = new ArrayList<>();
    for (Object stage : org.bson.BsonArray.parse(pipeline)) {
      stages.add(((org.bson.BsonValue) stage).asDocument());
    }
    List<String> out = new ArrayList<>();
    db.getCollection("orders").aggregate(stages).forEach(d -> out.add(d.toJson()));
    return out;
  }

  @Test
  void aSampleOfOperationsGivesWhatThePlainServerGives() throws Exception {
    int mockPort = start(Map.of("collections", Map.of("orders", ORDERS, "customers", CUSTOMERS)));
    plain = new MongoServer(new MemoryBackend());
    plain.bind("127.0.0.1", 0);
    MongoClient onMock = client(mockPort);
    MongoClient onPlain = client(com.mongodb.client.MongoClients.create(settings(plain.getLocalAddress().getPort()).build()));
    Map<String, Function<MongoDatabase, Object>> ops = sample();
    int round = 0;
    for (Map.Entry<String, Function<MongoDatabase, Object>> op : ops.entrySet()) {
      // Each operation on fresh copies of the same documents.
      String db = "cmp" + round++;
      MongoDatabase plainDb = onPlain.getDatabase(db);
      plainDb.getCollection("orders").insertMany(ORDERS.stream().map(Document::new).toList());
      plainDb.getCollection("customers").insertMany(CUSTOMERS.stream().map(Document::new).toList());
      Object mine = op.getValue().apply(onMock.getDatabase(db));
      Object theirs = op.getValue().apply(plainDb);
      assertThat(mine).as(op.getKey()).isEqualTo(theirs);
      assertThat(mine).as(op.getKey() + " returns something").isNotEqualTo(List.of());
    }
    assertThat(context.recorded()).extracting(e -> e.op()).contains("find", "aggregate", "update", "delete", "findAndModify");
  }
}
