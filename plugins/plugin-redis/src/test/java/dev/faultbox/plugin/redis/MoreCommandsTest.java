package dev.faultbox.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.params.GetExParams;

/** The commands beyond the first set, through Jedis. */
class MoreCommandsTest extends MockTestSupport {

  private static ProtocolCommand raw(String name) {
    byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return () -> bytes;
  }

  @Test
  void keysStringsListsHashesAndSets() throws Exception {
    Map<String, Object> state = Map.of(
        "tags", Map.of("type", "set", "value", List.of("a", "b")),
        "s", "Hello World");
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of("state", state)), 3000)) {
      assertThat(j.type("tags")).isEqualTo("set");
      assertThat(j.smembers("tags")).containsExactlyInAnyOrder("a", "b");
      assertThat(j.sadd("tags", "b", "c")).isEqualTo(1);
      assertThat(j.sismember("tags", "c")).isTrue();
      assertThat(j.smismember("tags", "a", "z")).containsExactly(true, false);
      assertThat(j.scard("tags")).isEqualTo(3);
      assertThat(j.srem("tags", "a", "b", "c")).isEqualTo(3);
      assertThat(j.exists("tags")).isFalse();

      assertThat(j.getrange("s", 0, 4)).isEqualTo("Hello");
      assertThat(j.getrange("s", -5, -1)).isEqualTo("World");
      assertThat(j.setrange("s", 6, "Redis")).isEqualTo(11);
      assertThat(j.get("s")).isEqualTo("Hello Redis");
      assertThat(j.setrange("pad", 3, "x")).isEqualTo(4);
      assertThat(j.get("pad")).isEqualTo("\0\0\0x");
      assertThat(j.msetnx("m1", "1", "s", "2")).isEqualTo(0);
      assertThat(j.msetnx("m1", "1", "m2", "2")).isEqualTo(1);
      assertThat(j.getEx("m1", GetExParams.getExParams().ex(100))).isEqualTo("1");
      assertThat(j.ttl("m1")).isEqualTo(100);
      assertThat(j.getEx("m1", GetExParams.getExParams().persist())).isEqualTo("1");
      assertThat(j.ttl("m1")).isEqualTo(-1);

      long at = System.currentTimeMillis() / 1000 + 1000;
      assertThat(j.expireAt("m2", at)).isEqualTo(1);
      assertThat(j.expireTime("m2")).isEqualTo(at);
      assertThat(j.pexpireTime("m2")).isEqualTo(at * 1000);
      assertThat(j.rename("m2", "m3")).isEqualTo("OK");
      assertThat(j.expireTime("m3")).as("the TTL moves with the key").isEqualTo(at);
      assertThat(j.renamenx("m3", "s")).isEqualTo(0);
      assertThatThrownBy(() -> j.rename("nope", "x")).hasMessage("ERR no such key");
      assertThat(j.pexpireAt("m3", 1)).isEqualTo(1);
      assertThat(j.exists("m3")).as("a time in the past deletes").isFalse();
      assertThat(j.randomKey()).isIn("s", "pad", "m1");

      assertThat(j.lpushx("l", "a")).isEqualTo(0);
      j.rpush("l", "a", "b", "a", "c", "a");
      assertThat(j.rpushx("l", "d")).isEqualTo(6);
      assertThat(j.lrem("l", -2, "a")).isEqualTo(2);
      assertThat(j.lrange("l", 0, -1)).containsExactly("a", "b", "c", "d");
      assertThat(j.lset("l", -1, "z")).isEqualTo("OK");
      assertThatThrownBy(() -> j.lset("l", 10, "z")).hasMessage("ERR index out of range");
      assertThat(j.ltrim("l", 1, 2)).isEqualTo("OK");
      assertThat(j.lrange("l", 0, -1)).containsExactly("b", "c");

      j.hset("h", "f", "1.5");
      assertThat(j.hincrByFloat("h", "f", 1.0)).isEqualTo(2.5);
      assertThat(j.hstrlen("h", "f")).isEqualTo(3);

      assertThat(j.time()).hasSize(2);
      Object hello = j.sendCommand(raw("HELLO"), "2");
      assertThat(hello).isInstanceOf(List.class);
      assertThatThrownBy(() -> j.sendCommand(raw("HELLO"), "4")).hasMessage("NOPROTO unsupported protocol version");
      assertThatThrownBy(() -> j.sadd("s", "x"))
          .hasMessage("WRONGTYPE Operation against a key holding the wrong kind of value");
      assertThatThrownBy(() -> j.sendCommand(raw("EXPIRE"), "s", "10", "NX", "XX"))
          .hasMessage("ERR NX and XX, GT or LT options at the same time are not compatible");
    }
  }

  @Test
  void helloAuthenticates() throws Exception {
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of("password", "pw")), 3000)) {
      assertThatThrownBy(() -> j.sendCommand(raw("HELLO"), "2")).hasMessageStartingWith("NOAUTH HELLO must be called");
      assertThatThrownBy(() -> j.sendCommand(raw("HELLO"), "2", "AUTH", "default", "bad"))
          .hasMessageStartingWith("WRONGPASS");
      j.sendCommand(raw("HELLO"), "2", "AUTH", "default", "pw", "SETNAME", "app");
      assertThat(j.clientGetname()).isEqualTo("app");
      assertThat(j.ping()).isEqualTo("PONG");
    }
  }

  @Test
  void scanVisitsEveryKeyOnceWithMatchCountAndType() throws Exception {
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of()), 3000)) {
      for (int i = 0; i < 95; i++) {
        j.set("k:" + i, "v");
      }
      j.hset("h", Map.of("f1", "a", "f2", "b", "g", "c"));
      j.sadd("set", "x", "y");
      java.util.Set<String> seen = new java.util.HashSet<>();
      String cursor = "0";
      int calls = 0;
      do {
        redis.clients.jedis.resps.ScanResult<String> r =
            j.scan(cursor, new redis.clients.jedis.params.ScanParams().match("k:*").count(20));
        seen.addAll(r.getResult());
        cursor = r.getCursor();
        calls++;
      } while (!cursor.equals("0"));
      assertThat(seen).hasSize(95);
      assertThat(calls).isGreaterThan(1);
      assertThat(j.scan("0", new redis.clients.jedis.params.ScanParams().count(1000), "hash").getResult())
          .containsExactly("h");
      assertThat(j.hscan("h", "0", new redis.clients.jedis.params.ScanParams().match("f*")).getResult())
          .extracting(Map.Entry::getKey).containsExactlyInAnyOrder("f1", "f2");
      assertThat(j.sscan("set", "0").getResult()).containsExactlyInAnyOrder("x", "y");
      assertThatThrownBy(() -> j.scan("abc")).hasMessage("ERR invalid cursor");
    }
  }
}
