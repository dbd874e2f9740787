package dev.faultbox.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.testkit.reliability.Leaks;
import dev.faultbox.testkit.reliability.Sizes;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The reliability suite's exact accounting, through a spec as a user runs one: {@link
 * Sizes#requests()} requests from the JDK's HTTP client, many in flight, are exactly that many
 * events; under a fault with a probability, the requests its rule decided plus those it passed are
 * all of them, and the client saw the statuses the events say. Then nothing is left behind.
 */
@Tag("reliability")
class AccountingTest {

  private static final int IN_FLIGHT = 32;
  private static final String SPEC = """
      api = mock_service("api", interface("main", "http", 0),
          routes = {"GET /ok": text_response(status = 200, body = "ok")})
      flaky = fault_assumption("flaky", target = api.main,
          rules = [error(path = "/ok", status = 503, message = "flaky", probability = 0.3)])
      """;

  @Test
  void everyRequestIsOneEventAndEveryFaultDecisionIsAccountedFor() throws Exception {
    Path spec = Path.of("target", "test-specs", "accounting.star");
    Files.createDirectories(spec.getParent());
    Files.writeString(spec, SPEC);
    int n = Sizes.requests();
    Leaks before = Leaks.snapshot();
    InetSocketAddress at;
    ExecutorService replies = Executors.newFixedThreadPool(2); // the client's, shut down at the end
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(replies)
        .connectTimeout(Duration.ofSeconds(5)).build();
    try (Topology deps = Faultbox.load(spec).start()) {
      at = deps.address("api", "main");
      URI uri = URI.create(deps.url("api", "main") + "/ok");
      Events ok = deps.events().where("op", "GET /ok");

      long started = System.nanoTime();
      assertThat(send(client, uri, n)).as("statuses the client saw").isEqualTo(Map.of(200, (long) n));
      assertThat(ok.count()).as("events").isEqualTo(n);
      assertThat(ok.where("status", 200).count()).isEqualTo(n);
      double plain = (System.nanoTime() - started) / 1e9;

      deps.resetEvents();
      started = System.nanoTime();
      Map<Integer, Long> statuses;
      long decided;
      try (Topology.Fault flaky = deps.fault("flaky")) {
        statuses = send(client, uri, n);
        decided = flaky.fired();
      }
      long faulted = ok.where("fault", "flaky").count();
      long passed = ok.where(e -> !e.fields().containsKey("fault")).count();
      assertThat(ok.count()).as("events under the error fault").isEqualTo(n);
      assertThat(decided).as("the rule's decisions").isEqualTo(faulted).isBetween((long) (n * 0.25), (long) (n * 0.35));
      assertThat(decided + passed).as("decisions + passes").isEqualTo(n);
      assertThat((long) ok.where("status", 503).count()).isEqualTo(decided);
      assertThat(statuses).as("statuses the client saw").isEqualTo(Map.of(503, decided, 200, n - decided));
      double error = (System.nanoTime() - started) / 1e9;

      System.out.printf("reliability accounting: %d requests in %.1f s, %d under an error fault (%d decided) in %.1f s%n",
          n, plain, n, decided, error);
    } finally {
      replies.shutdownNow();
    }
    Leaks.assertNoneSince(before, List.of(at), List.of());
  }

  /** Sends {@code n} GETs, at most {@link #IN_FLIGHT} at once; the count of each status seen. */
  private static Map<Integer, Long> send(HttpClient client, URI uri, int n) throws Exception {
    Map<Integer, AtomicLong> seen = new ConcurrentHashMap<>();
    Semaphore slots = new Semaphore(IN_FLIGHT);
    AtomicLong failed = new AtomicLong();
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    for (int i = 0; i < n; i++) {
      if (!slots.tryAcquire(10, TimeUnit.SECONDS) || System.nanoTime() > deadline) {
        throw new AssertionError("no answer for 10 s, or past 5 minutes, after " + i + " requests");
      }
      CompletableFuture<HttpResponse<Void>> reply = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
      reply.whenComplete((r, e) -> {
        if (e != null) {
          failed.incrementAndGet();
        } else {
          seen.computeIfAbsent(r.statusCode(), k -> new AtomicLong()).incrementAndGet();
        }
        slots.release();
      });
    }
    if (!slots.tryAcquire(IN_FLIGHT, 30, TimeUnit.SECONDS)) {
      throw new AssertionError("the last requests were not answered within 30 s");
    }
    assertThat(failed.get()).as("requests that failed").isZero();
    Map<Integer, Long> counts = new TreeMap<>();
    seen.forEach((status, count) -> counts.put(status, count.get()));
    return counts;
  }
}
