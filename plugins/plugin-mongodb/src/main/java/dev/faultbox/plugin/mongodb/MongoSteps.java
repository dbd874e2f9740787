package dev.faultbox.plugin.mongodb;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.CountOptions;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.result.DeleteResult;
import com.mongodb.client.result.InsertManyResult;
import com.mongodb.client.result.UpdateResult;
import dev.faultbox.plugin.support.Config;
import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.Json;
import dev.faultbox.plugin.support.StepArgs;
import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.StepException;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.spi.StepResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonValue;
import org.bson.conversions.Bson;

/**
 * The steps of a mongodb interface, in the original's shapes, run with the official sync driver:
 * documents, filters and pipelines are dicts in extended JSON; {@code .body} is relaxed extended
 * JSON (a list of documents for {@code find} and {@code aggregate}, else a small result document)
 * with status 0. A command or write error gives {@code ok=False}, its server code as
 * {@code .status} and the driver's message as {@code .error}; so does a connection that fails.
 */
final class MongoSteps {
  private MongoSteps() {}

  static final String DEFAULT_DATABASE = "test";

  @FunctionalInterface
  private interface Body {
    BsonValue run(Args a);
  }

  static Map<String, StepMethod> all() {
    Map<String, StepMethod> steps = new LinkedHashMap<>();
    steps.put("find", step("find", List.of("collection", "filter", "sort", "projection", "limit", "skip"), a -> {
      FindIterable<BsonDocument> find = a.collection().find(a.document("filter", true))
          .limit((int) a.integer("limit")).skip((int) a.integer("skip"));
      BsonDocument sort = a.document("sort", false);
      if (sort != null) {
        find.sort(sort);
      }
      BsonDocument projection = a.document("projection", false);
      if (projection != null) {
        find.projection(projection);
      }
      return find.into(new BsonArray());
    }));
    steps.put("insert", step("insert", List.of("collection", "document"), a -> {
      BsonDocument document = a.required("document");
      BsonValue id = a.collection().insertOne(document).getInsertedId();
      return new BsonDocument("inserted_id", id != null ? id : document.get("_id", BsonNull.VALUE))
          .append("n", new BsonInt64(1));
    }));
    steps.put("insert_many", step("insert_many", List.of("collection", "documents", "ordered"), a -> {
      List<BsonDocument> documents = a.documents("documents", true);
      InsertManyResult r = a.collection().insertMany(documents, new InsertManyOptions().ordered(a.bool("ordered", true)));
      BsonArray ids = new BsonArray();
      r.getInsertedIds().values().forEach(ids::add);
      return new BsonDocument("inserted_ids", ids).append("n", new BsonInt64(ids.size()));
    }));
    steps.put("update", step("update", List.of("collection", "filter", "update", "upsert", "many"), a -> {
      BsonDocument filter = a.document("filter", true);
      UpdateOptions options = new UpdateOptions().upsert(a.bool("upsert", false));
      Object update = a.args.get("update");
      UpdateResult r;
      if (update instanceof List<?>) {
        List<BsonDocument> pipeline = a.documents("update", true);
        r = a.bool("many", false) ? a.collection().updateMany(filter, pipeline, options)
            : a.collection().updateOne(filter, pipeline, options);
      } else {
        BsonDocument change = a.required("update");
        r = a.bool("many", false) ? a.collection().updateMany(filter, change, options)
            : a.collection().updateOne(filter, change, options);
      }
      return new BsonDocument("matched", new BsonInt64(r.getMatchedCount()))
          .append("modified", new BsonInt64(r.getModifiedCount()))
          .append("upserted_id", r.getUpsertedId() != null ? r.getUpsertedId() : BsonNull.VALUE);
    }));
    steps.put("delete", step("delete", List.of("collection", "filter", "many"), a -> {
      BsonDocument filter = a.required("filter");
      DeleteResult r = a.bool("many", false) ? a.collection().deleteMany(filter) : a.collection().deleteOne(filter);
      return new BsonDocument("deleted", new BsonInt64(r.getDeletedCount()));
    }));
    steps.put("count", step("count", List.of("collection", "filter"), a -> new BsonDocument("count",
        new BsonInt64(a.collection().countDocuments(a.document("filter", true), new CountOptions())))));
    steps.put("aggregate", step("aggregate", List.of("collection", "pipeline"), a -> {
      List<? extends Bson> pipeline = a.documents("pipeline", true);
      return a.collection().aggregate(pipeline).into(new BsonArray());
    }));
    steps.put("command", step("command", List.of("command"), a -> {
      BsonDocument command = a.required("command");
      if (command.isEmpty()) {
        throw a.step.error("command", "must name a command, e.g. {\"ping\": 1}");
      }
      return a.database().runCommand(command, BsonDocument.class);
    }));
    return Map.copyOf(steps);
  }

  /** A step's arguments, checked, and where they go. */
  private record Args(String name, StepArgs step, Map<String, Object> args, Endpoint target) {

    MongoDatabase database() {
      String database = step.string("database");
      String fallback = name.equals("command") ? "admin" : DEFAULT_DATABASE;
      return StepClients.of(target).getDatabase(database == null ? fallback : database);
    }

    MongoCollection<BsonDocument> collection() {
      String collection = step.string("collection");
      if (collection == null || collection.isEmpty()) {
        throw new StepException(name + "() requires collection=");
      }
      return database().getCollection(collection, BsonDocument.class);
    }

    BsonDocument required(String key) {
      BsonDocument document = document(key, false);
      if (document == null) {
        throw new StepException(name + "() requires " + key + "=");
      }
      return document;
    }

    /** A dict in extended JSON; empty ({@code orEmpty}) or null when absent or None. */
    BsonDocument document(String key, boolean orEmpty) {
      Object value = args.get(key);
      if (value == null) {
        return orEmpty ? new BsonDocument() : null;
      }
      if (!(value instanceof Map<?, ?>)) {
        throw step.error(key, "must be a dict, got " + Config.starlarkType(value));
      }
      return parse(key, value);
    }

    List<BsonDocument> documents(String key, boolean required) {
      Object value = args.get(key);
      if (value == null && required) {
        throw new StepException(name + "() requires " + key + "=");
      }
      if (!(value instanceof List<?> list)) {
        throw step.error(key, "must be a list of dicts, got " + Config.starlarkType(value));
      }
      List<BsonDocument> documents = new ArrayList<>(list.size());
      for (Object item : list) {
        if (!(item instanceof Map<?, ?>)) {
          throw step.error(key, "must be a list of dicts, got a " + Config.starlarkType(item) + " in it");
        }
        documents.add(parse(key, item));
      }
      return documents;
    }

    private BsonDocument parse(String key, Object value) {
      try {
        return BsonDocument.parse(Json.write(value));
      } catch (RuntimeException e) {
        throw step.error(key, "is not valid extended JSON: " + Failures.oneLine(e));
      }
    }

    long integer(String key) {
      Object value = args.get(key);
      if (value == null) {
        return 0;
      }
      if (!(value instanceof Long || value instanceof Integer) || ((Number) value).longValue() < 0
          || ((Number) value).longValue() > Integer.MAX_VALUE) {
        throw step.error(key, "must be an int ≥ 0, got " + value);
      }
      return ((Number) value).longValue();
    }

    boolean bool(String key, boolean fallback) {
      Object value = args.get(key);
      if (value == null) {
        return fallback;
      }
      if (!(value instanceof Boolean b)) {
        throw step.error(key, "must be True or False, got " + Config.starlarkType(value));
      }
      return b;
    }
  }

  private static StepMethod step(String name, List<String> params, Body body) {
    List<String> accepted = new ArrayList<>(params);
    accepted.add("database");
    List<String> parameters = List.copyOf(accepted);
    return new StepMethod() {
      @Override
      public List<String> parameters() {
        return parameters;
      }

      @Override
      public StepResult call(Endpoint target, Map<String, Object> kwargs) {
        Args args = new Args(name, StepArgs.of(name, kwargs).only(parameters), kwargs, target);
        long started = System.nanoTime();
        try {
          BsonValue result = body.run(args);
          String json = result.isArray() ? array(result.asArray()) : result.asDocument().toJson(Documents.RELAXED);
          return new StepResult.Response(true, 0, json.getBytes(StandardCharsets.UTF_8), Map.of(), "", millis(started));
        } catch (MongoException e) {
          return new StepResult.Response(false, code(e), new byte[0], Map.of(), message(e), millis(started));
        }
      }
    };
  }

  /** A list of documents as a JSON array, each in relaxed extended JSON. */
  private static String array(BsonArray documents) {
    StringBuilder json = new StringBuilder("[");
    for (BsonValue document : documents) {
      if (json.length() > 1) {
        json.append(", ");
      }
      json.append(document.asDocument().toJson(Documents.RELAXED));
    }
    return json.append(']').toString();
  }

  /** The server's error code; 0 when the server said nothing (a timeout, a closed connection). */
  private static int code(MongoException e) {
    if (e instanceof MongoWriteException w) {
      return w.getError().getCode();
    }
    if (e instanceof MongoBulkWriteException b && !b.getWriteErrors().isEmpty()) {
      return b.getWriteErrors().get(0).getCode();
    }
    return Math.max(e.getCode(), 0); // the driver's own failures (a socket, a timeout) have negative codes
  }

  private static String message(MongoException e) {
    if (e instanceof MongoWriteException w) {
      return w.getError().getMessage();
    }
    if (e instanceof MongoBulkWriteException b && !b.getWriteErrors().isEmpty()) {
      return b.getWriteErrors().get(0).getMessage();
    }
    if (e instanceof com.mongodb.MongoCommandException c) {
      return c.getErrorMessage();
    }
    return Failures.oneLine(e);
  }

  private static long millis(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }
}
