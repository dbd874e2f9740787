package dev.faultbox.plugin.mongodb;

import dev.faultbox.plugin.support.Config;
import dev.faultbox.plugin.support.Json;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * A mongodb mock's {@code config=}, checked once by {@code prepare}: {@code collections} (name →
 * a list of documents in extended JSON) and {@code database} (where they live; absent: in every
 * database a client names). Seeds are kept as BSON bytes, decoded afresh for each test.
 */
record MongoSettings(Optional<String> database, Map<String, List<byte[]>> collections) {

  static final List<String> KEYS = List.of("collections", "database");
  /** Databases the server keeps for itself: a seed without a database never appears there. */
  static final List<String> SYSTEM_DATABASES = List.of("admin", "config", "local");

  static MongoSettings of(MockDefinition definition) throws InvalidMockException {
    if (!definition.routes().isEmpty() || definition.defaultResponse().isPresent()) {
      throw new InvalidMockException("a mongodb mock takes no routes or default response; seed it with"
          + " collections= (mongo.server(collections = {\"users\": [{...}]}))");
    }
    Map<String, Object> config = definition.config();
    for (String key : config.keySet()) {
      if (!KEYS.contains(key)) {
        throw Config.unknownKey("mongodb", key, KEYS);
      }
    }
    Optional<String> database = Optional.empty();
    Object db = config.get("database");
    if (db != null) {
      if (!(db instanceof String name)) {
        throw new InvalidMockException("mongodb mock database must be a str or None, got " + Config.starlarkType(db));
      }
      String invalid = invalidDatabase(name);
      if (invalid != null) {
        throw new InvalidMockException("mongodb mock database \"" + name + "\" " + invalid);
      }
      database = Optional.of(name);
    }
    Map<String, List<byte[]>> collections = new LinkedHashMap<>();
    Object c = config.get("collections");
    if (c != null) {
      if (!(c instanceof Map<?, ?> map)) {
        throw new InvalidMockException("mongodb mock collections must be a dict of name → list of documents, got "
            + Config.starlarkType(c));
      }
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String name) || name.isEmpty() || name.startsWith("system.")
            || name.contains("$") || name.indexOf('\0') >= 0) {
          throw new InvalidMockException("mongodb mock collection name " + Json.write(e.getKey())
              + " is not valid: a non-empty str without $, not starting with system.");
        }
        collections.put(name, documents(name, e.getValue()));
      }
    }
    return new MongoSettings(database, Map.copyOf(collections));
  }

  private static List<byte[]> documents(String collection, Object value) throws InvalidMockException {
    if (!(value instanceof List<?> list)) {
      throw new InvalidMockException("mongodb mock collection \"" + collection + "\" must be a list of documents (dicts), got "
          + Config.starlarkType(value));
    }
    List<byte[]> documents = new ArrayList<>(list.size());
    java.util.Set<BsonValue> ids = new java.util.HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      Object item = list.get(i);
      String where = "mongodb mock collection \"" + collection + "\" document " + i;
      if (!(item instanceof Map<?, ?>)) {
        throw new InvalidMockException(where + " must be a dict, got " + Config.starlarkType(item));
      }
      BsonDocument document;
      try {
        document = BsonDocument.parse(Json.write(item));
      } catch (RuntimeException e) {
        throw new InvalidMockException(where + " is not valid extended JSON: " + oneLine(e));
      }
      BsonValue id = document.get("_id");
      if (id != null && id.isArray()) {
        throw new InvalidMockException(where + ": _id cannot be an array");
      }
      if (id != null && !ids.add(id)) {
        throw new InvalidMockException(where + " repeats " + new BsonDocument("_id", id).toJson(Documents.RELAXED) + "; each _id must be unique");
      }
      documents.add(Documents.bytes(document));
    }
    return List.copyOf(documents);
  }

  /** Why a database name is refused, as mongod refuses it; null when it is fine. */
  static String invalidDatabase(String name) {
    if (name.isEmpty()) {
      return "is empty";
    }
    if (name.length() >= 64) {
      return "is longer than 63 characters";
    }
    for (char ch : new char[] {'/', '\\', '.', ' ', '"', '$', '\0'}) {
      if (name.indexOf(ch) >= 0) {
        return "may not contain '" + (ch == '\0' ? "\\0" : String.valueOf(ch)) + "'";
      }
    }
    return null;
  }

  private static String oneLine(RuntimeException e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
