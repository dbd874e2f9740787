package dev.faultbox.plugin.redis;

import static dev.faultbox.plugin.redis.SortedSetsTest.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ListPosition;
import redis.clients.jedis.params.LPosParams;

/** The rest of sets, lists, keys, hashes and CLIENT, through Jedis and a raw socket. */
class ExtraCommandsTest extends MockTestSupport {

  private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

  @Test
  void sets() throws Exception {
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of()), 3000)) {
      j.sadd("s", "a", "b", "c");
      assertThat(j.spop("s")).isIn("a", "b", "c");
      assertThat(j.spop("s", 5)).hasSize(2);
      assertThat(j.exists("s")).as("an emptied set is removed").isFalse();
      j.sadd("s", "a", "b");
      assertThat(j.srandmember("s", 5)).containsExactlyInAnyOrder("a", "b");
      assertThat(j.srandmember("s", -5)).hasSize(5);
      assertThat(j.smove("s", "t", "a")).isEqualTo(1);
      assertThat(j.smove("s", "t", "a")).isEqualTo(0);
      assertThat(j.smembers("t")).containsExactly("a");
      j.sadd("u", "b", "c");
      assertThat(j.sinter("s", "u")).containsExactly("b");
      assertThat(j.sunion("s", "t", "u")).containsExactlyInAnyOrder("a", "b", "c");
      assertThat(j.sdiff("u", "s")).containsExactly("c");
      assertThat(j.sunionstore("all", "s", "t", "u")).isEqualTo(3);
      assertThat(j.sintercard("all", "u")).isEqualTo(2);
      assertThat(j.sintercard(1, "all", "u")).isEqualTo(1);
      assertThat(j.sinterstore("none", "s", "nokey")).isEqualTo(0);
      assertThat(j.exists("none")).isFalse();
      j.set("str", "x");
      assertThatThrownBy(() -> j.smove("s", "str", "b")).hasMessage(WRONGTYPE);
      assertThatThrownBy(() -> j.sinter("nokey", "str")).hasMessage(WRONGTYPE);
      assertThatThrownBy(() -> j.spop("s", -1)).hasMessage("ERR value is out of range, must be positive");
      assertThatThrownBy(() -> j.sendCommand(raw("SINTERCARD"), "0", "s")).hasMessage("ERR numkeys should be greater than 0");
      assertThatThrownBy(() -> j.sendCommand(raw("SINTERCARD"), "1", "s", "LIMIT", "-1"))
          .hasMessage("ERR LIMIT can't be negative");
    }
  }

  @Test
  void lists() throws Exception {
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of()), 3000)) {
      j.rpush("l", "a", "c", "a", "c");
      assertThat(j.linsert("l", ListPosition.BEFORE, "c", "b")).isEqualTo(5);
      assertThat(j.linsert("l", ListPosition.AFTER, "nope", "x")).isEqualTo(-1);
      assertThat(j.linsert("nokey", ListPosition.AFTER, "a", "x")).isEqualTo(0);
      assertThat(j.lrange("l", 0, -1)).containsExactly("a", "b", "c", "a", "c");
      assertThat(j.lpos("l", "c")).isEqualTo(2);
      assertThat(j.lpos("l", "c", LPosParams.lPosParams().rank(-1))).isEqualTo(4);
      assertThat(j.lpos("l", "a", LPosParams.lPosParams(), 0)).containsExactly(0L, 3L);
      assertThat(j.lpos("l", "c", LPosParams.lPosParams().maxlen(2))).isNull();
      assertThat(j.lpos("l", "x")).isNull();
      assertThatThrownBy(() -> j.lpos("l", "c", LPosParams.lPosParams().rank(0)))
          .hasMessageStartingWith("ERR RANK can't be zero: use 1 to start from the first match");
      assertThatThrownBy(() -> j.sendCommand(raw("LPOS"), "l", "c", "COUNT", "-1"))
          .hasMessage("ERR COUNT can't be negative");
      assertThatThrownBy(() -> j.sendCommand(raw("LINSERT"), "l", "MIDDLE", "a", "b")).hasMessage("ERR syntax error");
    }
  }

  @Test
  void keysAndHashes() throws Exception {
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of()), 3000)) {
      j.set("s", "hello");
      j.expire("s", 100);
      assertThat(j.copy("s", "s2", false)).isTrue();
      assertThat(j.ttl("s2")).as("the TTL is copied").isGreaterThan(90);
      assertThat(j.copy("s", "s2", false)).isFalse();
      assertThat(j.copy("s", "s2", 1, false)).isTrue();
      j.rpush("l", "a");
      assertThat(j.copy("l", "l2", true)).isTrue();
      j.rpush("l2", "b");
      assertThat(j.llen("l")).as("a copy is deep").isEqualTo(1);
      assertThatThrownBy(() -> j.copy("s", "s", false)).hasMessage("ERR source and destination objects are the same");
      assertThat(j.touch("s", "l", "nokey")).isEqualTo(2);

      j.set("n", "12");
      j.sadd("ints", "1", "2");
      j.zadd("z", 1, "a");
      j.hset("h", "f", "v");
      assertThat(j.objectEncoding("n")).isEqualTo("int");
      assertThat(j.objectEncoding("s")).isEqualTo("embstr");
      assertThat(j.objectEncoding("l")).isEqualTo("quicklist");
      assertThat(j.objectEncoding("ints")).isEqualTo("intset");
      assertThat(j.objectEncoding("z")).isEqualTo("listpack");
      assertThat(j.objectEncoding("h")).isEqualTo("listpack");
      assertThat(j.objectEncoding("nokey")).isNull();
      assertThat(j.objectRefcount("n")).isEqualTo(Integer.MAX_VALUE);
      assertThatThrownBy(() -> j.objectFreq("s")).hasMessageStartingWith("ERR An LFU maxmemory policy is not selected");
      assertThat(j.objectIdletime("s")).isZero();
      assertThat(j.dump("nokey")).isNull();
      assertThatThrownBy(() -> j.dump("s")).hasMessageContaining("DUMP");

      j.hset("hr", Map.of("a", "1", "b", "2"));
      assertThat(j.hrandfield("hr")).isIn("a", "b");
      assertThat(j.hrandfield("hr", 5)).containsExactlyInAnyOrder("a", "b");
      assertThat(j.hrandfieldWithValues("hr", -3)).hasSize(3)
          .allSatisfy(e -> assertThat(e.getValue()).isEqualTo(e.getKey().equals("a") ? "1" : "2"));
      assertThatThrownBy(() -> j.sendCommand(raw("HRANDFIELD"), "hr", "1", "WITHVALUE")).hasMessage("ERR syntax error");
    }
  }

  @Test
  void resp3Shapes() throws Exception {
    try (RawResp r = new RawResp(start(Map.of()))) {
      r.call("HELLO", "3");
      r.call("SADD", "s", "a");
      r.call("HSET", "h", "f", "v");
      assertThat(r.call("SPOP", "nokey", "2")).isEqualTo("~0\r\n");
      assertThat(r.call("SRANDMEMBER", "s", "-2")).isEqualTo("*2\r\n$1\r\na\r\n$1\r\na\r\n");
      assertThat(r.call("SINTER", "s", "s")).isEqualTo("~1\r\n$1\r\na\r\n");
      assertThat(r.call("HRANDFIELD", "h", "1", "WITHVALUES")).isEqualTo("*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
      assertThat(r.call("HRANDFIELD", "nokey")).isEqualTo("_\r\n");
      assertThat(r.call("LPOS", "nokey", "a")).isEqualTo("_\r\n");
      assertThat(r.call("CLIENT", "INFO")).startsWith("=").contains("txt:id=").contains(" cmd=client|info ")
          .endsWith(" resp=3\n\r\n");
    }
  }

  @Test
  void clientListKillAndReply() throws Exception {
    int port = start(Map.of());
    try (Jedis a = new Jedis("127.0.0.1", port, 3000); Jedis b = new Jedis("127.0.0.1", port, 3000)) {
      a.clientSetname("first");
      b.ping();
      String list = a.clientList();
      assertThat(list.split("\n")).hasSize(2);
      assertThat(list).contains("name=first ").contains("cmd=ping ").contains(" laddr=127.0.0.1:" + port + " ")
          .containsPattern("^id=\\d+ addr=127\\.0\\.0\\.1:\\d+ laddr=.* flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 ");
      assertThat(a.clientInfo()).contains("name=first").contains("cmd=client|info");
      long bId = b.clientId();
      assertThat(a.clientList(bId)).startsWith("id=" + bId + " ");
      assertThat((Long) a.sendCommand(raw("CLIENT"), "KILL", "ID", Long.toString(bId))).isEqualTo(1);
      assertThatThrownBy(b::ping).as("the killed connection is closed").isInstanceOf(Exception.class);
      assertThat(a.clientList().split("\n")).hasSize(1);
      assertThatThrownBy(() -> a.clientKill("1.1.1.1:1")).hasMessage("ERR No such client");
      assertThat(a.clientPause(10)).isEqualTo("OK");
      assertThat(a.clientUnpause()).isEqualTo("OK");
      assertThat(a.clientNoEvictOn()).isEqualTo("OK");
    }
    try (RawResp r = new RawResp(port)) {
      assertThat(r.call("CLIENT", "REPLY", "SKIP", "x"))
          .isEqualTo("-ERR wrong number of arguments for 'client|reply' command\r\n");
      // SKIP silences its own reply and the next: SET's +OK never comes, GET's does.
      r.send("CLIENT", "REPLY", "SKIP");
      r.send("SET", "k", "v");
      assertThat(r.call("GET", "k")).isEqualTo("$1\r\nv\r\n");
      r.send("CLIENT", "REPLY", "OFF");
      r.send("SET", "k", "w");
      assertThat(r.call("CLIENT", "REPLY", "ON")).as("OFF until ON").isEqualTo("+OK\r\n");
      assertThat(r.call("GET", "k")).isEqualTo("$1\r\nw\r\n");
    }
  }
}
