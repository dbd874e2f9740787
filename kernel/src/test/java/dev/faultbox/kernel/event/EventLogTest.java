package dev.faultbox.kernel.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.spi.MockEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLogTest {

  @Test
  void emitAddsKindTypeAndSequence() {
    EventLog log = new EventLog();
    log.emit(new MockEvent("statsd", "main", "recv", Map.of("req_size", "5")));
    log.emit(new MockEvent("auth", "http", "GET /jwks", Map.of("status", "200")));
    List<Event> all = log.snapshot();
    assertThat(all).hasSize(2);
    Event first = all.get(0);
    assertThat(first.seq()).isZero();
    assertThat(first.kind()).isEqualTo("mock");
    assertThat(first.type()).isEqualTo("mock.recv");
    assertThat(first.attribute("interface")).isEqualTo("main");
    assertThat(first.attribute("req_size")).isEqualTo("5");
    assertThat(all.get(1).seq()).isEqualTo(1);
    assertThat(all.get(1).type()).isEqualTo("mock.GET /jwks");
  }

  @Test
  void pastItsLimitTheLogKeepsOneOverflowEventThatCountsTheRest() throws Exception {
    EventLog log = new EventLog(3);
    var pool = Executors.newFixedThreadPool(4);
    for (int i = 0; i < 1000; i++) {
      int n = i;
      pool.execute(() -> log.emit(new MockEvent("api", "http", "GET /x", Map.of("n", n))));
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    List<Event> all = log.snapshot();
    assertThat(all).hasSize(4);
    assertThat(all.subList(0, 3)).allSatisfy(e -> assertThat(e.type()).isEqualTo("mock.GET /x"));
    Event overflow = all.get(3);
    assertThat(overflow.type()).isEqualTo("log.overflow");
    assertThat(overflow.service()).isEqualTo("faultbox");
    assertThat(overflow.fields()).containsEntry("dropped", 997L).containsEntry("max_events", 3L);
    assertThat(log.dropped()).isEqualTo(997);
    log.emit(new MockEvent("api", "http", "GET /x", Map.of()));
    assertThat(overflow.fields().get("dropped")).as("read live").isEqualTo(998L);
    assertThat(log.size()).isEqualTo(4);
  }

  @Test
  void eventsOfOneShapeShareTheirNamesAndRepeatedValues() {
    EventLog log = new EventLog();
    for (int i = 0; i < 2; i++) {
      log.emit(new MockEvent("api", "http", new String("GET /orders"),
          Map.of("status", 200, "path", new String("/orders"), "duration_ms", 3L, "big", 1L << 40)));
    }
    Event a = log.get(0);
    Event b = log.get(1);
    assertThat(a.fields()).isEqualTo(Map.of("status", 200, "path", "/orders", "duration_ms", 3L, "big", 1L << 40));
    assertThat(a.fields().get("path")).isSameAs(b.fields().get("path"));
    assertThat(a.fields().get("status")).isSameAs(b.fields().get("status"));
    assertThat(a.op()).isSameAs(b.op());
    assertThat(a.type()).isSameAs(b.type());
    assertThat(a.fields().get("missing")).isNull();
    assertThat(a.attribute("status")).isEqualTo(200);
    assertThat(a.fields()).hasSize(4).containsKey("big");
  }

  @Test
  void concurrentAppendsKeepEverySequenceOnce() throws Exception {
    EventLog log = new EventLog();
    int threads = 4;
    int each = 20_000; // crosses several chunks
    var pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < threads; t++) {
      String svc = "s" + t;
      pool.submit(() -> {
        go.await();
        for (int i = 0; i < each; i++) {
          log.emit(new MockEvent(svc, "main", "recv", Map.of("i", Integer.toString(i))));
        }
        return null;
      });
    }
    go.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    List<Event> all = log.snapshot();
    assertThat(all).hasSize(threads * each);
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).seq()).isEqualTo(i);
    }
    // Each writer's events appear in the order it wrote them.
    for (int t = 0; t < threads; t++) {
      String svc = "s" + t;
      List<String> mine = all.stream().filter(e -> e.service().equals(svc)).map(e -> (String) e.fields().get("i")).toList();
      assertThat(mine).hasSize(each);
      for (int i = 0; i < each; i++) {
        assertThat(mine.get(i)).isEqualTo(Integer.toString(i));
      }
    }
  }

  @Test
  void awaitIsWokenByAnAppend() {
    EventLog log = new EventLog();
    var timer = Executors.newSingleThreadScheduledExecutor();
    timer.schedule(() -> log.emit(new MockEvent("s", "i", "recv", Map.of())), 50, TimeUnit.MILLISECONDS);
    long start = System.nanoTime();
    // The recheck interval is far longer than the test, so only the append can wake the waiter.
    boolean held = log.await(() -> log.size() == 1, TimeUnit.SECONDS.toNanos(20), TimeUnit.SECONDS.toNanos(20));
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    timer.shutdown();
    assertThat(held).isTrue();
    assertThat(waitedMs).isLessThan(10_000);
  }

  @Test
  void awaitGivesUpAtTheTimeout() {
    EventLog log = new EventLog();
    long start = System.nanoTime();
    boolean held = log.await(() -> false, TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.MILLISECONDS.toNanos(20));
    assertThat(held).isFalse();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
  }

  @Test
  void countWalksTheLogWithoutCopying() {
    EventLog log = new EventLog();
    for (int i = 0; i < 10_000; i++) {
      log.emit(new MockEvent(i % 2 == 0 ? "a" : "b", "i", "recv", Map.of()));
    }
    assertThat(log.count(e -> e.service().equals("a"))).isEqualTo(5_000);
    assertThat(log.count(e -> true)).isEqualTo(10_000);
  }
}
