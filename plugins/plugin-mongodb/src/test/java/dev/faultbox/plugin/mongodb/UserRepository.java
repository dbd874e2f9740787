package dev.faultbox.plugin.mongodb;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bson.Document;

/** A repository as an application writes one on the sync driver: the code the mock must serve. */
final class UserRepository {

  private final MongoCollection<Document> users;

  UserRepository(MongoClient client, String database) {
    this.users = client.getDatabase(database).getCollection("users");
  }

  void ensureUniqueEmail() {
    users.createIndex(Indexes.ascending("email"), new IndexOptions().unique(true));
  }

  Object add(String name, String role, String email, int age) {
    Document user = new Document("name", name).append("role", role).append("email", email).append("age", age);
    return users.insertOne(user).getInsertedId();
  }

  Optional<Document> byName(String name) {
    return Optional.ofNullable(users.find(eq("name", name)).first());
  }

  List<String> namesWithRole(String role) {
    List<String> names = new ArrayList<>();
    users.find(eq("role", role)).sort(Sorts.ascending("name")).projection(new Document("name", 1))
        .forEach(d -> names.add(d.getString("name")));
    return names;
  }

  long promote(String name) {
    return users.updateOne(eq("name", name), Updates.set("role", "admin")).getModifiedCount();
  }

  long remove(String name) {
    return users.deleteOne(eq("name", name)).getDeletedCount();
  }

  long adults() {
    return users.countDocuments(gte("age", 18));
  }

  /** Role → head count, sorted by role. */
  List<Document> countByRole() {
    return users.aggregate(List.of(
        Aggregates.group("$role", Accumulators.sum("count", 1)),
        Aggregates.sort(Sorts.ascending("_id")))).into(new ArrayList<>());
  }
}
