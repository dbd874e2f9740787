package dev.faultbox.sut;

import static dev.faultbox.sut.Orders.env;
import static dev.faultbox.sut.Orders.reply;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.bson.Document;

/**
 * A system under test that keeps its users in MongoDB through the official sync driver:
 * {@code GET /users/<id>} finds one, {@code POST /users} inserts one (409 on a duplicate key),
 * {@code GET /users?role=<r>} counts by role. A MongoDB error becomes a 503 naming its code, and a
 * line on stderr. Configured only through its environment: PORT, MONGO_URI (with the database).
 */
public final class Users {
  private static MongoCollection<Document> users;

  public static void main(String[] args) throws Exception {
    MongoClient client = MongoClients.create(env("MONGO_URI"));
    users = client.getDatabase("app").getCollection("users");
    int port = Integer.parseInt(env("PORT"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/health", ex -> reply(ex, 200, "{\"status\":\"ok\"}"));
    server.createContext("/users", Users::users);
    server.start();
    System.out.println("users listening on " + port);
  }

  private static void users(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    try {
      if (ex.getRequestMethod().equals("POST")) {
        Document user = Document.parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        users.insertOne(user);
        reply(ex, 201, user.toJson());
      } else if (path.startsWith("/users/")) {
        Document user = users.find(Filters.eq("_id", path.substring("/users/".length()))).first();
        reply(ex, user == null ? 404 : 200, user == null ? "{\"error\":\"no such user\"}" : user.toJson());
      } else {
        String query = ex.getRequestURI().getQuery();
        String role = query != null && query.startsWith("role=") ? query.substring(5) : null;
        long n = users.countDocuments(role == null ? new Document() : Filters.eq("role", role));
        reply(ex, 200, "{\"count\":" + n + "}");
      }
    } catch (MongoWriteException e) {
      boolean duplicate = e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
      System.err.println("mongodb write failed: " + e.getError().getCode() + " " + e.getError().getMessage());
      reply(ex, duplicate ? 409 : 503, "{\"error\":" + e.getError().getCode() + "}");
    } catch (MongoException e) {
      System.err.println("mongodb failed: " + e.getCode() + " " + e.getMessage());
      reply(ex, 503, "{\"error\":" + e.getCode() + "}");
    }
  }
}
