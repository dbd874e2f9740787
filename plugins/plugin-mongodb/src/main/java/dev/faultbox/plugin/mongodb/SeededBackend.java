package dev.faultbox.plugin.mongodb;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The library's in-memory backend, one per test, reporting MongoDB 6.0 and holding the seeds: in
 * the named database, made at start, or, without one, in each database as a client first names
 * it (but the server's own admin, config and local).
 */
final class SeededBackend extends MemoryBackend {

  private final MongoSettings settings;

  SeededBackend(MongoSettings settings) {
    this.settings = settings;
    version(Server60.INSTANCE);
    settings.database().ifPresent(this::resolveDatabase); // seeded now, through openOrCreateDatabase
  }

  @Override
  public MemoryDatabase openOrCreateDatabase(String databaseName) {
    MemoryDatabase database = super.openOrCreateDatabase(databaseName);
    boolean seeded = settings.database().map(databaseName::equals)
        .orElse(!MongoSettings.SYSTEM_DATABASES.contains(databaseName));
    if (seeded) {
      seed(database, settings.collections());
    }
    return database;
  }

  /** The document with its _id first, made when absent, as mongod stores an inserted document. */
  private static Document idFirst(Document document) {
    Object id = document.containsKey("_id") ? document.remove("_id") : new ObjectId();
    Document stored = new Document("_id", id);
    stored.putAll(document);
    return stored;
  }

  private static void seed(MemoryDatabase database, Map<String, List<byte[]>> collections) {
    collections.forEach((name, bsons) -> {
      MongoCollection<?> collection = database.createCollectionOrThrowIfExists(name);
      List<Document> documents = new ArrayList<>(bsons.size());
      for (byte[] bson : bsons) {
        documents.add(idFirst(Documents.document(bson)));
      }
      collection.insertDocuments(documents, false); // checked at load, so nothing is refused here
    });
  }
}
