package dev.faultbox.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.MockEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

/** The mock against Jedis, a real client, over 127.0.0.1. */
class JedisTest extends MockTestSupport {

  private static Jedis jedis(int port) {
    return new Jedis("127.0.0.1", port, 3000);
  }

  private static ProtocolCommand raw(String name) {
    byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return () -> bytes;
  }

  private static Map<String, Object> seed() {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("greeting", "hello");
    state.put("counter:hits", 41L);
    state.put("flag:new_ui", true);
    state.put("user:1", Map.of("name", "Ada", "age", 36L));
    state.put("queue:jobs", List.of("a", "b", "c"));
    state.put("session:abc", Map.of("value", "token", "ttl", "30s"));
    return Map.of("state", state);
  }

  @Test
  void stringsAndCountersOnSeededState() throws Exception {
    try (Jedis j = jedis(start(seed()))) {
      assertThat(j.ping()).isEqualTo("PONG");
      assertThat(j.get("greeting")).isEqualTo("hello");
      assertThat(j.get("flag:new_ui")).isEqualTo("true");
      assertThat(j.incr("counter:hits")).isEqualTo(42);
      assertThat(j.incrBy("counter:hits", 8)).isEqualTo(50);
      assertThat(j.decrBy("counter:hits", 60)).isEqualTo(-10);
      assertThat(j.decr("counter:hits")).isEqualTo(-11);
      assertThat(j.incrByFloat("f", 10.5)).isEqualTo(10.5);
      assertThat(j.incrByFloat("f", 0.1)).isEqualTo(10.6);
      assertThat(j.get("f")).isEqualTo("10.6");
      assertThat(j.set("k", "v")).isEqualTo("OK");
      assertThat(j.append("k", "alue")).isEqualTo(5);
      assertThat(j.strlen("k")).isEqualTo(5);
      assertThat(j.setnx("k", "other")).isEqualTo(0);
      assertThat(j.setnx("k2", "other")).isEqualTo(1);
      assertThat(j.getSet("k2", "third")).isEqualTo("other");
      assertThat(j.getDel("k2")).isEqualTo("third");
      assertThat(j.exists("k2")).isFalse();
      assertThat(j.mset("m1", "1", "m2", "2")).isEqualTo("OK");
      assertThat(j.mget("m1", "nope", "m2", "user:1")).containsExactly("1", null, "2", null);
      assertThat(j.set("k", "x", SetParams.setParams().nx())).isNull();
      assertThat(j.set("new", "x", SetParams.setParams().xx())).isNull();
      assertThat(j.setGet("k", "y")).isEqualTo("value");
      assertThat(j.get("k")).isEqualTo("y");
      assertThat(j.type("k")).isEqualTo("string");
      assertThat(j.type("user:1")).isEqualTo("hash");
      assertThat(j.type("queue:jobs")).isEqualTo("list");
      assertThat(j.type("nope")).isEqualTo("none");
      assertThat(j.keys("m?")).containsExactlyInAnyOrder("m1", "m2");
      assertThat(j.keys("[mk]*")).containsExactlyInAnyOrder("m1", "m2", "k");
      assertThat(j.del("m1", "m2", "nope")).isEqualTo(2);
      assertThat(j.exists("greeting", "greeting", "nope")).isEqualTo(2);
      assertThat(j.dbSize()).isEqualTo(8);
    }
  }

  @Test
  void ttlsCountDownOnTheWallClockAndKeysExpire() throws Exception {
    try (Jedis j = jedis(start(seed()))) {
      assertThat(j.ttl("session:abc")).isBetween(29L, 30L);
      assertThat(j.ttl("greeting")).isEqualTo(-1);
      assertThat(j.ttl("nope")).isEqualTo(-2);
      j.set("short", "v", SetParams.setParams().px(600));
      j.setex("sec", 100, "v");
      assertThat(j.ttl("sec")).isEqualTo(100);
      long first = j.pttl("short");
      assertThat(first).isBetween(1L, 600L);
      Thread.sleep(200);
      assertThat(j.pttl("short")).isLessThan(first).isPositive();
      assertThat(j.expire("greeting", 100)).isEqualTo(1);
      assertThat(j.persist("greeting")).isEqualTo(1);
      assertThat(j.persist("greeting")).isEqualTo(0);
      assertThat(j.pexpire("nope", 100)).isEqualTo(0);
      j.set("swept", "v", SetParams.setParams().px(300));
      Thread.sleep(700);
      assertThat(j.get("short")).isNull();
      assertThat(j.exists("short")).isFalse();
      assertThat(j.pttl("short")).isEqualTo(-2);
      assertThat(j.keys("swept")).isEmpty();
      assertThat(j.expire("greeting", 0)).isEqualTo(1);
      assertThat(j.exists("greeting")).isFalse();
    }
  }

  @Test
  void theSweepRemovesExpiredKeysNobodyTouches() throws Exception {
    int port = start(Map.of());
    try (Jedis j = jedis(port)) {
      for (int i = 0; i < 50; i++) {
        j.set("k" + i, "v", SetParams.setParams().px(100));
      }
    }
    Thread.sleep(500);
    // DBSIZE counts what the sweep left; a fresh connection touches no key first.
    try (Jedis j = jedis(port)) {
      assertThat(j.dbSize()).isZero();
    }
  }

  @Test
  void everyStartBeginsFromTheSeed() throws Exception {
    try (Jedis j = jedis(start(seed()))) {
      j.set("greeting", "changed");
      j.flushAll();
    }
    try (Jedis j = jedis(start(seed()))) {
      assertThat(j.get("greeting")).isEqualTo("hello");
    }
  }

  @Test
  void hashes() throws Exception {
    try (Jedis j = jedis(start(seed()))) {
      assertThat(j.hgetAll("user:1")).isEqualTo(Map.of("name", "Ada", "age", "36"));
      assertThat(j.hset("user:1", Map.of("email", "ada@example.com", "name", "Ada L."))).isEqualTo(1);
      assertThat(j.hget("user:1", "name")).isEqualTo("Ada L.");
      assertThat(j.hmget("user:1", "name", "nope")).containsExactly("Ada L.", null);
      assertThat(j.hexists("user:1", "email")).isTrue();
      assertThat(j.hlen("user:1")).isEqualTo(3);
      assertThat(j.hincrBy("user:1", "age", 1)).isEqualTo(37);
      assertThat(j.hkeys("user:1")).containsExactlyInAnyOrder("name", "age", "email");
      assertThat(j.hvals("user:1")).containsExactlyInAnyOrder("Ada L.", "37", "ada@example.com");
      assertThat(j.hdel("user:1", "name", "age", "email", "nope")).isEqualTo(3);
      assertThat(j.exists("user:1")).as("an emptied hash is gone").isFalse();
      assertThat(j.hgetAll("nope")).isEmpty();
      j.hset("h", "f", "x");
      assertThatThrownBy(() -> j.hincrBy("h", "f", 1)).hasMessage("ERR hash value is not an integer");
    }
  }

  @Test
  void lists() throws Exception {
    try (Jedis j = jedis(start(seed()))) {
      assertThat(j.lrange("queue:jobs", 0, -1)).containsExactly("a", "b", "c");
      assertThat(j.lpush("queue:jobs", "z", "y")).isEqualTo(5);
      assertThat(j.rpush("queue:jobs", "d")).isEqualTo(6);
      assertThat(j.lrange("queue:jobs", 0, -1)).containsExactly("y", "z", "a", "b", "c", "d");
      assertThat(j.lrange("queue:jobs", -2, 100)).containsExactly("c", "d");
      assertThat(j.lrange("queue:jobs", 5, 2)).isEmpty();
      assertThat(j.llen("queue:jobs")).isEqualTo(6);
      assertThat(j.lindex("queue:jobs", -1)).isEqualTo("d");
      assertThat(j.lpop("queue:jobs")).isEqualTo("y");
      assertThat(j.rpop("queue:jobs")).isEqualTo("d");
      assertThat(j.lpop("queue:jobs", 2)).containsExactly("z", "a");
      assertThat(j.rpop("queue:jobs", 10)).containsExactly("c", "b");
      assertThat(j.exists("queue:jobs")).isFalse();
      assertThat(j.lpop("queue:jobs")).isNull();
      assertThat(j.lpop("queue:jobs", 2)).isNull();
      for (int i = 0; i < 100; i++) {
        j.rpush("big", "v" + i);
      }
      assertThat(j.lrange("big", 0, -1)).hasSize(100).startsWith("v0").endsWith("v99");
    }
  }

  @Test
  void errorsHaveRedisServersTexts() throws Exception {
    try (Jedis j = jedis(start(seed()))) {
      assertThatThrownBy(() -> j.sendCommand(raw("FOO"), "a", "b"))
          .isInstanceOf(JedisDataException.class)
          .hasMessage("ERR unknown command 'FOO', with args beginning with: 'a' 'b' ");
      assertThatThrownBy(() -> j.sendCommand(raw("get")))
          .hasMessage("ERR wrong number of arguments for 'get' command");
      assertThatThrownBy(() -> j.sendCommand(raw("SET"), "k"))
          .hasMessage("ERR wrong number of arguments for 'set' command");
      assertThatThrownBy(() -> j.incr("user:1"))
          .hasMessage("WRONGTYPE Operation against a key holding the wrong kind of value");
      assertThatThrownBy(() -> j.lpush("greeting", "x"))
          .hasMessage("WRONGTYPE Operation against a key holding the wrong kind of value");
      assertThatThrownBy(() -> j.incr("greeting")).hasMessage("ERR value is not an integer or out of range");
      assertThatThrownBy(() -> j.sendCommand(raw("EXPIRE"), "greeting", "soon"))
          .hasMessage("ERR value is not an integer or out of range");
      assertThatThrownBy(() -> j.sendCommand(raw("SET"), "k", "v", "EX", "0"))
          .hasMessage("ERR invalid expire time in 'set' command");
      assertThatThrownBy(() -> j.sendCommand(raw("SET"), "k", "v", "NX", "XX")).hasMessage("ERR syntax error");
      assertThatThrownBy(() -> j.sendCommand(raw("MSET"), "a", "1", "b"))
          .hasMessage("ERR wrong number of arguments for 'mset' command");
      assertThatThrownBy(() -> j.incrByFloat("greeting", 1)).hasMessage("ERR value is not a valid float");
      j.set("max", Long.toString(Long.MAX_VALUE));
      assertThatThrownBy(() -> j.incr("max")).hasMessage("ERR increment or decrement would overflow");
      assertThat(j.ping()).as("errors leave the connection serving").isEqualTo("PONG");
    }
  }

  @Test
  void pipelinedRepliesComeBackInOrder() throws Exception {
    try (Jedis j = jedis(start(Map.of()))) {
      Pipeline p = j.pipelined();
      List<Response<Long>> incrs = new ArrayList<>();
      List<Response<String>> gets = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        incrs.add(p.incr("n"));
        p.set("k" + i, "v" + i);
        gets.add(p.get("k" + i));
      }
      p.sync();
      for (int i = 0; i < 2000; i++) {
        assertThat(incrs.get(i).get()).isEqualTo(i + 1L);
        assertThat(gets.get(i).get()).isEqualTo("v" + i);
      }
    }
    assertThat(context.recorded()).hasSizeGreaterThanOrEqualTo(6000);
  }

  @Test
  void aDelayedCommandHoldsThoseBehindIt() throws Exception {
    context.setFaultGate(probe -> probe.attributes().get("key").equals("slow")
        ? new FaultDecision(FaultDecision.Action.PASS, Duration.ofMillis(300), 0, "", Optional.of("slow_command"))
        : FaultDecision.PASS);
    try (Jedis j = jedis(start(Map.of()))) {
      Pipeline p = j.pipelined();
      Response<String> slow = p.get("slow");
      Response<Long> fast = p.incr("fast");
      long started = System.nanoTime();
      p.sync();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
      assertThat(slow.get()).isNull();
      assertThat(fast.get()).isEqualTo(1);
    }
    List<MockEvent> events = context.recorded();
    int slowAt = -1;
    int fastAt = -1;
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).op().equals("GET")) {
        slowAt = i;
      } else if (events.get(i).op().equals("INCR")) {
        fastAt = i;
      }
    }
    assertThat(slowAt).isLessThan(fastAt).isNotNegative();
    assertThat(events.get(slowAt).fields()).containsEntry("fault", "slow_command");
  }

  @Test
  void authWithTheConfiguredPassword() throws Exception {
    int port = start(Map.of("password", "s3cret"));
    try (Jedis j = jedis(port)) {
      assertThatThrownBy(() -> j.get("k")).hasMessage("NOAUTH Authentication required.");
      assertThatThrownBy(() -> j.auth("wrong"))
          .hasMessage("WRONGPASS invalid username-password pair or user is disabled.");
      assertThat(j.auth("s3cret")).isEqualTo("OK");
      assertThat(j.set("k", "v")).isEqualTo("OK");
    }
    try (Jedis j = jedis(port)) {
      assertThat(j.auth("default", "s3cret")).isEqualTo("OK");
      assertThat(j.get("k")).isEqualTo("v");
    }
    try (Jedis j = jedis(start(Map.of()))) {
      assertThatThrownBy(() -> j.auth("x")).hasMessageStartingWith("ERR AUTH <password> called without any password");
    }
  }

  @Test
  void selectSwitchesAmongSixteenDatabases() throws Exception {
    int port = start(seed());
    try (Jedis j = jedis(port)) {
      assertThat(j.select(15)).isEqualTo("OK");
      assertThat(j.get("greeting")).isNull();
      j.set("only-in-15", "x");
      assertThat(j.dbSize()).isEqualTo(1);
      assertThatThrownBy(() -> j.select(16)).hasMessage("ERR DB index is out of range");
      j.flushDB();
      assertThat(j.dbSize()).isZero();
      j.select(0);
      assertThat(j.get("greeting")).isEqualTo("hello");
      assertThat(j.exists("only-in-15")).isFalse();
    }
    List<MockEvent> gets = context.recorded("GET");
    assertThat(gets.get(0).fields()).containsEntry("db", 15L).containsEntry("reply", "null");
    assertThat(gets.get(gets.size() - 1).fields()).containsEntry("db", 0L).containsEntry("reply", "bulk_string");
  }

  @Test
  void eachCommandIsAnEventWithKeyArgsDbReplyAndError() throws Exception {
    try (Jedis j = jedis(start(seed()))) {
      j.get("greeting");
      j.mset("a", "1", "b", "2");
      assertThatThrownBy(() -> j.incr("greeting")).isInstanceOf(JedisDataException.class);
      j.ping();
    }
    MockEvent get = context.recorded("GET").get(0);
    assertThat(get.service()).isEqualTo("cache");
    assertThat(get.fields()).containsEntry("key", "greeting").containsEntry("args", 1L)
        .containsEntry("db", 0L).containsEntry("reply", "bulk_string").doesNotContainKey("error");
    assertThat(context.recorded("MSET").get(0).fields()).containsEntry("key", "a").containsEntry("args", 4L);
    assertThat(context.recorded("INCR").get(0).fields()).containsEntry("reply", "error")
        .containsEntry("error", "ERR value is not an integer or out of range");
    assertThat(context.recorded("PING").get(0).fields()).doesNotContainKey("key").containsEntry("reply", "simple_string");
  }

  @Test
  void faultsMatchCommandAndKeyAndAnswerRedisErrorsOrDrops() throws Exception {
    context.setFaultGate(probe -> {
      String key = probe.attributes().get("key");
      if (key.startsWith("counter:")) {
        return new FaultDecision(FaultDecision.Action.ERROR, Duration.ZERO, 0,
            "LOADING Redis is loading the dataset in memory", Optional.of("loading"));
      }
      if (probe.attributes().get("command").equals("DEL")) {
        return new FaultDecision(FaultDecision.Action.DROP, Duration.ZERO, 0, "", Optional.of("drop"));
      }
      return FaultDecision.PASS;
    });
    int port = start(seed());
    try (Jedis j = jedis(port)) {
      assertThatThrownBy(() -> j.incr("counter:hits")).hasMessage("LOADING Redis is loading the dataset in memory");
      assertThat(j.get("greeting")).isEqualTo("hello");
      assertThatThrownBy(() -> j.del("greeting")).isInstanceOf(JedisConnectionException.class);
    }
    context.setFaultGate(dev.faultbox.spi.FaultGate.PASS_THROUGH);
    try (Jedis j = jedis(port)) {
      assertThat(j.get("counter:hits")).as("the faulted INCR never ran").isEqualTo("41");
      assertThat(j.get("greeting")).isEqualTo("hello");
    }
    assertThat(context.recorded("INCR").get(0).fields()).containsEntry("fault", "loading")
        .containsEntry("error", "LOADING Redis is loading the dataset in memory");
    assertThat(context.recorded("DEL").get(0).fields()).containsEntry("fault", "drop").containsEntry("reply", "none");
  }

  @Test
  void manyClientsAtOnce() throws Exception {
    int port = start(Map.of());
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < 8; t++) {
      Thread thread = new Thread(() -> {
        try (Jedis j = jedis(port)) {
          for (int i = 0; i < 200; i++) {
            j.incr("shared");
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread t : threads) {
      t.join(10_000);
    }
    assertThat(failures).isEmpty();
    try (Jedis j = jedis(port)) {
      assertThat(j.get("shared")).isEqualTo("1600");
    }
  }
}
