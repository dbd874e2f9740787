package dev.faultbox.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.spi.MockEvent;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

/** Blocking pops, pub/sub and streams against Jedis and raw sockets on 127.0.0.1. */
class AsyncTest extends MockTestSupport {

  private static Jedis jedis(int port) {
    return new Jedis("127.0.0.1", port, 5000);
  }

  /** A raw connection: sends RESP arrays, reads exactly the bytes expected. */
  private static final class Raw implements AutoCloseable {
    final Socket socket;
    final OutputStream out;
    final InputStream in;

    Raw(int port) throws Exception {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(5000);
      out = socket.getOutputStream();
      in = socket.getInputStream();
    }

    void send(String... args) throws Exception {
      StringBuilder b = new StringBuilder("*" + args.length + "\r\n");
      for (String a : args) {
        b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
      }
      out.write(b.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    String read(int bytes) throws Exception {
      return new String(in.readNBytes(bytes), StandardCharsets.UTF_8);
    }

    String call(String expected, String... args) throws Exception {
      send(args);
      return read(expected.length());
    }

    @Override
    public void close() throws Exception {
      socket.close();
    }
  }

  @Test
  void aBlockedPopIsReleasedByAPushFromAnotherConnection() throws Exception {
    int port = start(Map.of());
    try (Jedis waiter = jedis(port); Jedis pusher = jedis(port)) {
      CompletableFuture<List<String>> popped = CompletableFuture.supplyAsync(() -> waiter.blpop(0, "jobs", "other"));
      Thread.sleep(200);
      assertThat(popped).isNotDone();
      assertThat(pusher.rpush("jobs", "j1", "j2")).isEqualTo(2);
      assertThat(popped.get(5, TimeUnit.SECONDS)).containsExactly("jobs", "j1");
      assertThat(pusher.lrange("jobs", 0, -1)).containsExactly("j2");
      MockEvent blpop = context.recorded("BLPOP").get(0);
      assertThat(blpop.fields()).containsEntry("key", "jobs").containsEntry("reply", "array").containsEntry("args", 3L);
      // the waiter's connection serves again afterwards
      assertThat(waiter.lpop("jobs")).isEqualTo("j2");
    }
  }

  @Test
  void twoBlockedClientsAreServedInArrivalOrder() throws Exception {
    int port = start(Map.of());
    try (Jedis first = jedis(port); Jedis second = jedis(port); Jedis pusher = jedis(port)) {
      CompletableFuture<List<String>> a = CompletableFuture.supplyAsync(() -> first.brpop(5, "q"));
      Thread.sleep(150);
      CompletableFuture<List<String>> b = CompletableFuture.supplyAsync(() -> second.brpop(5, "q"));
      Thread.sleep(150);
      pusher.lpush("q", "one");
      assertThat(a.get(5, TimeUnit.SECONDS)).containsExactly("q", "one");
      assertThat(b).isNotDone();
      pusher.lpush("q", "two");
      assertThat(b.get(5, TimeUnit.SECONDS)).containsExactly("q", "two");
      assertThat(pusher.exists("q")).isFalse();
    }
  }

  @Test
  void aTimeoutAnswersTheNullArrayInBothProtocols() throws Exception {
    int port = start(Map.of());
    try (Raw raw = new Raw(port)) {
      long started = System.nanoTime();
      assertThat(raw.call("*-1\r\n", "BLPOP", "nokey", "0.2")).isEqualTo("*-1\r\n");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
      String notFloat = "-ERR timeout is not a float or out of range\r\n";
      assertThat(raw.call(notFloat, "BRPOPLPUSH", "x", "y", "abc")).isEqualTo(notFloat);
      assertThat(raw.call("-ERR timeout is negative\r\n", "BLPOP", "k", "-1")).isEqualTo("-ERR timeout is negative\r\n");
    }
    try (Raw raw = new Raw(port)) {
      raw.send("HELLO", "3");
      Thread.sleep(200);
      raw.in.readNBytes(raw.in.available());
      assertThat(raw.call("_\r\n", "BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.05")).isEqualTo("_\r\n");
    }
    assertThat(context.recorded("BLMOVE").get(0).fields()).containsEntry("reply", "null");
  }

  @Test
  void aConnectionClosedWhileBlockedLeaksNoWaiter() throws Exception {
    int port = start(Map.of());
    try (Raw raw = new Raw(port)) {
      raw.send("BLPOP", "q", "0");
      Thread.sleep(200);
    }
    Thread.sleep(200);
    try (Jedis j = jedis(port)) {
      assertThat(j.rpush("q", "kept")).isEqualTo(1);
      assertThat(j.lrange("q", 0, -1)).as("the closed waiter took nothing").containsExactly("kept");
      assertThat(j.blpop(1, "q")).containsExactly("q", "kept");
    }
    assertThat(context.recorded("BLPOP")).hasSize(1).as("only the answered BLPOP is an event");
  }

  @Test
  void insideMultiABlockingCommandDoesNotBlock() throws Exception {
    try (Raw raw = new Raw(start(Map.of()))) {
      assertThat(raw.call("+OK\r\n", "MULTI")).isEqualTo("+OK\r\n");
      assertThat(raw.call("+QUEUED\r\n", "BLPOP", "nokey", "0")).isEqualTo("+QUEUED\r\n");
      assertThat(raw.call("+QUEUED\r\n", "BLMOVE", "nokey", "d", "LEFT", "LEFT", "0")).isEqualTo("+QUEUED\r\n");
      assertThat(raw.call("+QUEUED\r\n", "XREAD", "BLOCK", "0", "STREAMS", "s", "$")).isEqualTo("+QUEUED\r\n");
      String exec = "*3\r\n*-1\r\n$-1\r\n*-1\r\n";
      assertThat(raw.call(exec, "EXEC")).isEqualTo(exec);
    }
  }

  @Test
  void pubSubAcrossConnectionsWithJedis() throws Exception {
    int port = start(Map.of());
    CopyOnWriteArrayList<String> got = new CopyOnWriteArrayList<>();
    CountDownLatch subscribed = new CountDownLatch(2);
    CountDownLatch received = new CountDownLatch(3);
    JedisPubSub listener = new JedisPubSub() {
      @Override
      public void onMessage(String channel, String message) {
        got.add(channel + "=" + message);
        received.countDown();
      }

      @Override
      public void onPMessage(String pattern, String channel, String message) {
        got.add(pattern + ":" + channel + "=" + message);
        received.countDown();
      }

      @Override
      public void onSubscribe(String channel, int count) {
        subscribed.countDown();
      }

      @Override
      public void onPSubscribe(String pattern, int count) {
        subscribed.countDown();
      }
    };
    try (Jedis sub = jedis(port); Jedis pub = jedis(port)) {
      Thread t = new Thread(() -> sub.subscribe(listener, "news"));
      t.start();
      Thread.sleep(100);
      listener.psubscribe("ne*");
      assertThat(subscribed.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(pub.publish("news", "hello")).isEqualTo(2);
      assertThat(pub.publish("nets", "pattern only")).isEqualTo(1);
      assertThat(pub.publish("other", "nobody")).isZero();
      assertThat(received.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(got).containsExactlyInAnyOrder("news=hello", "ne*:news=hello", "ne*:nets=pattern only");
      assertThat(pub.pubsubChannels()).containsExactly("news");
      assertThat(pub.pubsubNumSub("news", "other")).containsEntry("news", 1L).containsEntry("other", 0L);
      assertThat(pub.pubsubNumPat()).isEqualTo(1);
      listener.unsubscribe();
      listener.punsubscribe();
      t.join(5000);
      assertThat(t.isAlive()).isFalse();
      assertThat(pub.publish("news", "late")).isZero();
    }
    MockEvent publish = context.recorded("PUBLISH").get(0);
    assertThat(publish.fields()).containsEntry("key", "news").containsEntry("reply", "integer");
  }

  @Test
  void pubSubBytesInResp2AndResp3() throws Exception {
    int port = start(Map.of());
    try (Raw sub = new Raw(port); Raw resp3 = new Raw(port); Jedis pub = jedis(port)) {
      String confirm = "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n";
      assertThat(sub.call(confirm, "SUBSCRIBE", "a", "b")).isEqualTo(confirm);
      String refused = "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET"
          + " are allowed in this context\r\n";
      assertThat(sub.call(refused, "GET", "x")).isEqualTo(refused);
      assertThat(sub.call("*2\r\n$4\r\npong\r\n$0\r\n\r\n", "PING")).isEqualTo("*2\r\n$4\r\npong\r\n$0\r\n\r\n");
      resp3.send("HELLO", "3");
      Thread.sleep(200);
      resp3.in.readNBytes(resp3.in.available());
      assertThat(resp3.call(">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n", "SUBSCRIBE", "a"))
          .isEqualTo(">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
      assertThat(resp3.call("_\r\n", "GET", "x")).as("RESP3 allows every command").isEqualTo("_\r\n");
      assertThat(pub.publish("a", "hi")).isEqualTo(2);
      String message = "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n";
      assertThat(sub.read(message.length())).isEqualTo(message);
      String push = ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n";
      assertThat(resp3.read(push.length())).isEqualTo(push);
      String all = "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n";
      assertThat(sub.call(all, "UNSUBSCRIBE")).isEqualTo(all);
      String none = "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n";
      assertThat(sub.call(none, "UNSUBSCRIBE")).isEqualTo(none);
      assertThat(sub.call("$-1\r\n", "GET", "x")).isEqualTo("$-1\r\n");
    }
    try (Jedis pub = jedis(port)) {
      Thread.sleep(200);
      assertThat(pub.publish("a", "after close")).as("closed subscribers are forgotten").isZero();
    }
  }

  @Test
  void thePublishStepReachesSubscribers() throws Exception {
    int port = start(Map.of());
    try (Raw sub = new Raw(port)) {
      sub.call("*3\r\n$9\r\nsubscribe\r\n$6\r\norders\r\n:1\r\n", "SUBSCRIBE", "orders");
      dev.faultbox.spi.Endpoint at = dev.faultbox.spi.Endpoint.plain("cache", "main", "redis", "127.0.0.1", port);
      var published = (dev.faultbox.spi.StepResult.Response) factory.steps().get("publish")
          .call(at, Map.of("channel", "orders", "message", "new"));
      assertThat(published.bodyText()).isEqualTo("{\"value\":1}");
      String message = "*3\r\n$7\r\nmessage\r\n$6\r\norders\r\n$3\r\nnew\r\n";
      assertThat(sub.read(message.length())).isEqualTo(message);
    }
  }

  @Test
  void aSubscriberThatNeverReadsIsClosedAtTheLimit() throws Exception {
    int port = start(Map.of());
    try (Raw sub = new Raw(port); Jedis pub = jedis(port)) {
      sub.socket.setReceiveBufferSize(4096);
      sub.call("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n", "SUBSCRIBE", "a");
      String big = "x".repeat(1 << 20);
      long receivers = 1;
      for (int i = 0; i < 200 && receivers == 1; i++) {
        receivers = pub.publish("a", big);
      }
      assertThat(receivers).as("the silent subscriber was dropped before 200 MB queued").isZero();
    }
  }

  @Test
  void streamsWithJedis() throws Exception {
    int port = start(Map.of());
    try (Jedis j = jedis(port); Jedis reader = jedis(port)) {
      StreamEntryID first = j.xadd("events", new StreamEntryID(1, 1), Map.of("type", "created"));
      assertThat(first.toString()).isEqualTo("1-1");
      j.xadd("events", new StreamEntryID(2, 0), Map.of("type", "paid"));
      assertThat(j.xlen("events")).isEqualTo(2);
      assertThat(j.type("events")).isEqualTo("stream");
      List<StreamEntry> all = j.xrange("events", (StreamEntryID) null, (StreamEntryID) null);
      assertThat(all).extracting(e -> e.getFields().get("type")).containsExactly("created", "paid");
      var read = j.xread(XReadParams.xReadParams().count(1), Map.of("events", new StreamEntryID(0, 0)));
      assertThat(read.get(0).getValue()).hasSize(1);
      j.xgroupCreate("events", "workers", new StreamEntryID(0, 0), false);
      var batch = j.xreadGroup("workers", "w1", XReadGroupParams.xReadGroupParams().count(10),
          Map.of("events", StreamEntryID.UNRECEIVED_ENTRY));
      assertThat(batch.get(0).getValue()).hasSize(2);
      assertThat(j.xpending("events", "workers").getTotal()).isEqualTo(2);
      assertThat(j.xack("events", "workers", first)).isEqualTo(1);
      assertThat(j.xpending("events", "workers").getTotal()).isEqualTo(1);
      // XREAD BLOCK is released by an XADD from another connection
      CompletableFuture<List<Map.Entry<String, List<StreamEntry>>>> blocked = CompletableFuture.supplyAsync(() ->
          reader.xread(XReadParams.xReadParams().block(5000), Map.of("events", StreamEntryID.LAST_ENTRY)));
      Thread.sleep(200);
      assertThat(blocked).isNotDone();
      j.xadd("events", new StreamEntryID(3, 0), Map.of("type", "shipped"));
      var woke = blocked.get(5, TimeUnit.SECONDS);
      assertThat(woke.get(0).getValue()).extracting(e -> e.getID().toString()).containsExactly("3-0");
      // XREADGROUP BLOCK too, once the group has read everything
      assertThat(j.xreadGroup("workers", "w1", XReadGroupParams.xReadGroupParams(),
          Map.of("events", StreamEntryID.UNRECEIVED_ENTRY)).get(0).getValue()).hasSize(1);
      CompletableFuture<List<Map.Entry<String, List<StreamEntry>>>> grouped = CompletableFuture.supplyAsync(() ->
          reader.xreadGroup("workers", "w2", XReadGroupParams.xReadGroupParams().block(5000).noAck(),
              Map.of("events", StreamEntryID.UNRECEIVED_ENTRY)));
      Thread.sleep(200);
      assertThat(grouped).isNotDone();
      j.xadd("events", new StreamEntryID(4, 0), Map.of("type", "done"));
      assertThat(grouped.get(5, TimeUnit.SECONDS).get(0).getValue()).extracting(e -> e.getID().toString())
          .containsExactly("4-0");
      assertThat(j.xpending("events", "workers").getTotal()).as("NOACK leaves no pending entry").isEqualTo(2);
    }
  }

  @Test
  void streamSeedsAndTheirErrors() throws Exception {
    Map<String, Object> stream = Map.of("type", "stream", "value",
        List.of(Map.of("id", "1-1", "fields", Map.of("a", "1")), Map.of("id", "2-0", "fields", Map.of("b", 2L))));
    int port = start(Map.of("state", Map.of("log", stream)));
    try (Jedis j = jedis(port)) {
      assertThat(j.type("log")).isEqualTo("stream");
      assertThat(j.xrange("log", (StreamEntryID) null, (StreamEntryID) null))
          .extracting(e -> e.getID() + " " + e.getFields()).containsExactly("1-1 {a=1}", "2-0 {b=2}");
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(Map.of("state", Map.of("log", Map.of("type", "stream",
        "value", List.of(Map.of("id", "2-0", "fields", Map.of("a", "1")), Map.of("id", "1-0", "fields", Map.of("a", "1"))))))))
        .hasMessageContaining("\"log\"").hasMessageContaining("1-0");
  }
}
