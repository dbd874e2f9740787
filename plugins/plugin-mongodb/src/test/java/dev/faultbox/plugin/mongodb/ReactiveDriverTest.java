package dev.faultbox.plugin.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import java.time.Duration;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The reactive-streams driver, on the same mock: its own connection code, the same server. */
class ReactiveDriverTest extends MockTestSupport {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void insertsFindsAndCountsWithoutBlockingTheDriver() throws Exception {
    int port = start(PAGE_SEED);
    MongoClient client = client(MongoClients.create(settings(port).build()));
    MongoCollection<Document> users = client.getDatabase("app").getCollection("users");
    Mono.from(users.insertMany(List.of(new Document("name", "carol").append("role", "user"),
        new Document("name", "dave").append("role", "user")))).block(WAIT);
    List<String> names = Flux.from(users.find(Filters.eq("role", "user")).sort(Sorts.descending("name")))
        .map(d -> d.getString("name")).collectList().block(WAIT);
    assertThat(names).containsExactly("dave", "carol", "bob");
    assertThat(Mono.from(users.countDocuments()).block(WAIT)).isEqualTo(4);
    assertThat(events("insert").get(0).fields()).containsEntry("n", 2).containsEntry("db", "app");
  }
}
