package dev.faultbox.bench;

import com.mongodb.MongoClientSettings;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;

/**
 * {@code server PORT}: mongo-java-server's plain in-memory server on 127.0.0.1 (the baseline), until
 * killed. {@code load PORT THREADS SECONDS}: THREADS driver threads insert for SECONDS, then find by
 * _id for SECONDS, each phase after a warm-up of the same length; prints {@code insert<TAB>ops/s}
 * and {@code find_by_id<TAB>ops/s}.
 */
public final class MongoBench {
  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("server")) {
      MongoServer server = new MongoServer(new MemoryBackend());
      server.bind("127.0.0.1", Integer.parseInt(args[1]));
      System.out.println("plain mongo-java-server on " + server.getLocalAddress());
      Thread.currentThread().join();
    } else if (args.length == 4 && args[0].equals("load")) {
      load(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
    } else {
      System.err.println("usage: server PORT | load PORT THREADS SECONDS");
      System.exit(2);
    }
  }

  private interface Op {
    void run(MongoCollection<Document> items, int thread, long i);
  }

  private static void load(int port, int threads, int seconds) throws Exception {
    MongoClientSettings settings = MongoClientSettings.builder()
        .applyToClusterSettings(b -> b.hosts(List.of(new ServerAddress("127.0.0.1", port)))
            .serverSelectionTimeout(10, TimeUnit.SECONDS))
        .applyToConnectionPoolSettings(b -> b.maxSize(threads))
        .build();
    try (MongoClient client = MongoClients.create(settings)) {
      MongoCollection<Document> items = client.getDatabase("bench").getCollection("items");
      items.drop();
      String payload = "x".repeat(100);
      Op insert = (c, t, i) -> c.insertOne(new Document("_id", id(t, i)).append("v", payload));
      run(items, threads, seconds, insert); // warm-up: the JIT, the pool
      long[] written = new long[threads];
      double inserts = run(items, threads, seconds, (c, t, i) -> {
        insert.run(c, t, 1_000_000_000L + i);
        written[t] = i + 1;
      });
      Op find = (c, t, i) -> {
        int other = ThreadLocalRandom.current().nextInt(threads);
        long n = Math.max(1, written[other]);
        if (c.find(Filters.eq("_id", id(other, 1_000_000_000L + ThreadLocalRandom.current().nextLong(n)))).first() == null) {
          throw new IllegalStateException("a written document was not found");
        }
      };
      run(items, threads, seconds, find);
      double finds = run(items, threads, seconds, find);
      System.out.printf("insert\t%.0f%nfind_by_id\t%.0f%n", inserts, finds);
    }
  }

  private static long id(int thread, long i) {
    return thread * 10_000_000_000L + i;
  }

  /** Ops per second of THREADS threads running {@code op} for SECONDS. */
  private static double run(MongoCollection<Document> items, int threads, int seconds, Op op) throws Exception {
    AtomicLong done = new AtomicLong();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    long started = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread w = new Thread(() -> {
        try {
          for (long i = 0; System.nanoTime() < deadline; i++) {
            op.run(items, thread, i);
            done.incrementAndGet();
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join(TimeUnit.SECONDS.toMillis(seconds + 30));
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("a load thread failed: " + failures.get(0), failures.get(0));
    }
    return done.get() / ((System.nanoTime() - started) / 1e9);
  }
}
