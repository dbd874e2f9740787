package dev.faultbox.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.InvalidMockException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.params.ZParams;
import redis.clients.jedis.params.ZRangeParams;
import redis.clients.jedis.resps.Tuple;

/** Sorted sets through Jedis (RESP2) and a raw socket (exact RESP2 and RESP3 bytes). */
class SortedSetsTest extends MockTestSupport {

  static redis.clients.jedis.commands.ProtocolCommand raw(String name) {
    byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return () -> bytes;
  }

  @Test
  void addScoreRankAndRange() throws Exception {
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of()), 3000)) {
      assertThat(j.zadd("z", Map.of("a", 1.0, "b", 2.0, "c", 3.0))).isEqualTo(3);
      assertThat(j.zadd("z", 10, "a")).as("an update adds nothing").isEqualTo(0);
      assertThat(j.zadd("z", 0, "a", ZAddParams.zAddParams().nx())).isEqualTo(0);
      assertThat(j.zscore("z", "a")).isEqualTo(10.0);
      assertThat(j.zadd("z", 1, "a", ZAddParams.zAddParams().gt().ch())).as("GT: not lower").isEqualTo(0);
      assertThat(j.zadd("z", 1, "a", ZAddParams.zAddParams().lt().ch())).isEqualTo(1);
      assertThat(j.zadd("z", 9, "nope", ZAddParams.zAddParams().xx())).isEqualTo(0);
      assertThat(j.zscore("z", "nope")).isNull();
      assertThat(j.zincrby("z", 0.5, "a")).isEqualTo(1.5);
      assertThat(j.zmscore("z", "a", "x", "c")).containsExactly(1.5, null, 3.0);
      assertThat(j.zcard("z")).isEqualTo(3);
      assertThat(j.type("z")).isEqualTo("zset");
      assertThat(j.zrange("z", 0, -1)).containsExactly("a", "b", "c");
      assertThat(j.zrevrange("z", 0, 0)).containsExactly("c");
      assertThat(j.zrangeWithScores("z", 0, 0)).containsExactly(new Tuple("a", 1.5));
      assertThat(j.zrangeByScore("z", "(1.5", "+inf")).containsExactly("b", "c");
      assertThat(j.zrange("z", ZRangeParams.zrangeByScoreParams(3, 1).rev().limit(0, 2))).containsExactly("c", "b");
      assertThat(j.zcount("z", "(1.5", "3")).isEqualTo(2);
      assertThat(j.zrank("z", "c")).isEqualTo(2);
      assertThat(j.zrevrank("z", "c")).isEqualTo(0);
      assertThat(j.zrank("z", "x")).isNull();
      assertThat(j.zrem("z", "a", "x")).isEqualTo(1);
      assertThat(j.zrem("z", "b", "c")).isEqualTo(2);
      assertThat(j.exists("z")).as("an emptied zset is removed").isFalse();
    }
  }

  @Test
  void lexPopRemoveRandomScan() throws Exception {
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of()), 3000)) {
      j.zadd("l", Map.of("a", 0.0, "b", 0.0, "c", 0.0, "d", 0.0, "\u00ff", 0.0));
      assertThat(j.zrangeByLex("l", "[b", "(d")).containsExactly("b", "c");
      assertThat(j.zrevrangeByLex("l", "+", "(c")).as("bytes compare unsigned").hasSize(2);
      assertThat(j.zlexcount("l", "-", "+")).isEqualTo(5);
      assertThat(j.zremrangeByLex("l", "-", "[a")).isEqualTo(1);

      j.zadd("p", Map.of("a", 1.0, "b", 2.0, "c", 3.0, "d", 4.0));
      assertThat(j.zpopmin("p")).isEqualTo(new Tuple("a", 1.0));
      assertThat(j.zpopmax("p", 2)).containsExactly(new Tuple("d", 4.0), new Tuple("c", 3.0));
      assertThat(j.zrandmember("p")).isEqualTo("b");
      assertThat(j.zrandmember("p", -3)).containsExactly("b", "b", "b");
      assertThat(j.zscan("p", "0", new redis.clients.jedis.params.ScanParams()).getResult())
          .containsExactly(new Tuple("b", 2.0));
      j.zadd("r", Map.of("a", 1.0, "b", 2.0, "c", 3.0, "d", 4.0));
      assertThat(j.zremrangeByScore("r", "(1", "2")).isEqualTo(1);
      assertThat(j.zremrangeByRank("r", -1, -1)).isEqualTo(1);
      assertThat(j.zrange("r", 0, -1)).containsExactly("a", "c");
    }
  }

  @Test
  void unionInterDiff() throws Exception {
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of()), 3000)) {
      j.zadd("a", Map.of("x", 1.0, "y", 2.0));
      j.zadd("b", Map.of("y", 10.0, "z", 20.0));
      j.sadd("s", "y");
      assertThat(j.zunionstore("u", "a", "b")).isEqualTo(3);
      assertThat(j.zscore("u", "y")).isEqualTo(12.0);
      assertThat(j.zinterstore("i", new ZParams().weights(2, 1).aggregate(ZParams.Aggregate.MAX), "a", "b"))
          .isEqualTo(1);
      assertThat(j.zscore("i", "y")).isEqualTo(10.0);
      assertThat(j.zinter(new ZParams(), "a", "s")).as("a set counts with score 1").containsExactly("y");
      assertThat(j.zdiff("a", "b")).containsExactly("x");
      assertThat(j.zintercard("a", "b")).isEqualTo(1);
      assertThat(j.zinterstore("i", "a", "nokey")).isEqualTo(0);
      assertThat(j.exists("i")).isFalse();
    }
  }

  @Test
  void errorsAsRedisServerWordsThem() throws Exception {
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of()), 3000)) {
      j.zadd("z", 1, "a");
      j.set("str", "x");
      assertThatThrownBy(() -> j.sendCommand(raw("ZADD"), "z", "NX", "XX", "1", "a"))
          .hasMessage("ERR XX and NX options at the same time are not compatible");
      assertThatThrownBy(() -> j.sendCommand(raw("ZADD"), "z", "GT", "LT", "1", "a"))
          .hasMessage("ERR GT, LT, and/or NX options at the same time are not compatible");
      assertThatThrownBy(() -> j.sendCommand(raw("ZADD"), "z", "INCR", "1", "a", "2", "b"))
          .hasMessage("ERR INCR option supports a single increment-element pair");
      assertThatThrownBy(() -> j.sendCommand(raw("ZADD"), "z", "nan", "a"))
          .hasMessage("ERR value is not a valid float");
      assertThat(j.zincrby("y", Double.NEGATIVE_INFINITY, "m")).as("Jedis sends -Infinity; strtod reads it")
          .isEqualTo(Double.NEGATIVE_INFINITY);
      j.zadd("z", Double.POSITIVE_INFINITY, "a");
      assertThatThrownBy(() -> j.sendCommand(raw("ZINCRBY"), "z", "-inf", "a"))
          .hasMessage("ERR resulting score is not a number (NaN)");
      assertThatThrownBy(() -> j.zcount("z", "x", "1")).hasMessage("ERR min or max is not a float");
      assertThatThrownBy(() -> j.zrangeByLex("z", "a", "b")).hasMessage("ERR min or max not valid string range item");
      assertThatThrownBy(() -> j.sendCommand(raw("ZRANGE"), "z", "0", "-1", "LIMIT", "0", "1"))
          .hasMessage("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
      assertThatThrownBy(() -> j.zpopmin("z", -1)).hasMessage("ERR value is out of range, must be positive");
      assertThatThrownBy(() -> j.zadd("str", 1, "a"))
          .hasMessage("WRONGTYPE Operation against a key holding the wrong kind of value");
      assertThatThrownBy(() -> j.zunionstore("u", "z", "str"))
          .hasMessage("WRONGTYPE Operation against a key holding the wrong kind of value");
    }
  }

  @Test
  void scoresPrintAsRedisServer70() throws Exception {
    try (RawResp r = new RawResp(start(Map.of()))) {
      r.call("ZADD", "f", "0.1", "a", "1e20", "b", "inf", "c", "-0", "d", "1e-5", "e");
      assertThat(r.call("ZSCORE", "f", "a")).isEqualTo("$19\r\n0.10000000000000001\r\n");
      assertThat(r.call("ZSCORE", "f", "b")).isEqualTo("$5\r\n1e+20\r\n");
      assertThat(r.call("ZSCORE", "f", "c")).isEqualTo("$3\r\ninf\r\n");
      assertThat(r.call("ZSCORE", "f", "d")).isEqualTo("$1\r\n0\r\n");
      assertThat(r.call("ZSCORE", "f", "e")).isEqualTo("$22\r\n1.0000000000000001e-05\r\n");
      assertThat(r.call("ZRANGE", "f", "0", "0", "WITHSCORES")).isEqualTo("*2\r\n$1\r\nd\r\n$1\r\n0\r\n");
    }
  }

  @Test
  void resp3ShapesAreDoublesAndPairs() throws Exception {
    try (RawResp r = new RawResp(start(Map.of()))) {
      r.call("HELLO", "3");
      r.call("ZADD", "z", "1", "a", "2.5", "b");
      assertThat(r.call("ZSCORE", "z", "b")).isEqualTo(",2.5\r\n");
      assertThat(r.call("ZSCORE", "z", "x")).isEqualTo("_\r\n");
      assertThat(r.call("ZINCRBY", "z", "1", "a")).isEqualTo(",2\r\n");
      assertThat(r.call("ZADD", "z", "NX", "INCR", "1", "a")).isEqualTo("_\r\n");
      assertThat(r.call("ZRANGE", "z", "0", "-1", "WITHSCORES"))
          .isEqualTo("*2\r\n*2\r\n$1\r\na\r\n,2\r\n*2\r\n$1\r\nb\r\n,2.5\r\n");
      assertThat(r.call("ZMSCORE", "z", "a", "x")).isEqualTo("*2\r\n,2\r\n_\r\n");
      assertThat(r.call("ZPOPMIN", "z")).as("without count: flat").isEqualTo("*2\r\n$1\r\na\r\n,2\r\n");
      assertThat(r.call("ZPOPMIN", "z", "1")).as("with count: pairs").isEqualTo("*1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n");
      assertThat(r.call("ZPOPMIN", "nokey")).isEqualTo("*0\r\n");
      r.call("ZADD", "z", "3", "c");
      assertThat(r.call("ZRANDMEMBER", "z", "-2", "WITHSCORES"))
          .isEqualTo("*2\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nc\r\n,3\r\n");
      assertThat(r.call("ZSCAN", "z", "0")).as("scores stay bulk strings")
          .isEqualTo("*2\r\n$1\r\n0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n");
    }
  }

  @Test
  void seedsAZset() throws Exception {
    Map<String, Object> scores = new LinkedHashMap<>();
    scores.put("alice", 1.5);
    scores.put("bob", 3L);
    Map<String, Object> state = Map.of("board", Map.of("type", "zset", "value", scores));
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of("state", state)), 3000)) {
      assertThat(j.type("board")).isEqualTo("zset");
      assertThat(j.zrangeWithScores("board", 0, -1)).containsExactly(new Tuple("alice", 1.5), new Tuple("bob", 3.0));
      j.zrem("board", "alice");
    }
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of("state", state)), 3000)) {
      assertThat(j.zcard("board")).as("each start seeds afresh").isEqualTo(2);
    }
    assertThatThrownBy(() -> start(Map.of("state", Map.of("k", Map.of("type", "zset", "value", List.of("a"))))))
        .isInstanceOf(InvalidMockException.class)
        .hasMessage("redis mock state \"k\": a zset seeds from a non-empty dict of member to score,"
            + " such as {\"alice\": 1.5}, got list");
    assertThatThrownBy(() -> start(Map.of("state", Map.of("k", Map.of("type", "zset", "value", Map.of("a", "x"))))))
        .isInstanceOf(InvalidMockException.class)
        .hasMessage("redis mock state \"k\": zset member \"a\" needs an int or float score, got str");
  }
}
