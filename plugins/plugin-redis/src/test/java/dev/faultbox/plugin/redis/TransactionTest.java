package dev.faultbox.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.MockEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.commands.ProtocolCommand;

/** MULTI, EXEC and DISCARD through Jedis. */
class TransactionTest extends MockTestSupport {

  private static ProtocolCommand raw(String name) {
    byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return () -> bytes;
  }

  @Test
  void execRunsTheQueuedCommandsInOrder() throws Exception {
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of()), 3000)) {
      Transaction t = j.multi();
      Response<String> set = t.set("k", "1");
      Response<Long> incr = t.incr("k");
      Response<String> get = t.get("k");
      List<Object> results = t.exec();
      assertThat(results).hasSize(3);
      assertThat(set.get()).isEqualTo("OK");
      assertThat(incr.get()).isEqualTo(2);
      assertThat(get.get()).isEqualTo("2");
    }
    List<String> ops = context.recorded().stream().map(MockEvent::op).toList();
    assertThat(ops).containsSubsequence("MULTI", "SET", "INCR", "GET", "EXEC");
    assertThat(context.recorded("SET").get(0).fields()).containsEntry("reply", "simple_string");
    assertThat(context.recorded("EXEC").get(0).fields()).containsEntry("reply", "array");
  }

  @Test
  void aRefusedCommandAbortsExecAndDiscardDropsTheQueue() throws Exception {
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of()), 3000)) {
      assertThat(j.sendCommand(raw("MULTI"))).isNotNull();
      assertThatThrownBy(() -> j.sendCommand(raw("NOPE"))).hasMessageStartingWith("ERR unknown command 'NOPE'");
      assertThat(new String((byte[]) j.sendCommand(raw("SET"), "k", "v"))).isEqualTo("QUEUED");
      assertThatThrownBy(() -> j.sendCommand(raw("EXEC")))
          .hasMessage("EXECABORT Transaction discarded because of previous errors.");
      assertThat(j.exists("k")).isFalse();
      assertThatThrownBy(() -> j.sendCommand(raw("EXEC"))).hasMessage("ERR EXEC without MULTI");
      assertThatThrownBy(() -> j.sendCommand(raw("DISCARD"))).hasMessage("ERR DISCARD without MULTI");
      j.sendCommand(raw("MULTI"));
      assertThatThrownBy(() -> j.sendCommand(raw("MULTI"))).hasMessage("ERR MULTI calls can not be nested");
      j.sendCommand(raw("SET"), "k", "v");
      assertThat(new String((byte[]) j.sendCommand(raw("DISCARD")))).isEqualTo("OK");
      assertThat(j.exists("k")).isFalse();
    }
  }

  @Test
  void aWrongTypeInsideExecIsThatCommandsReplyOnly() throws Exception {
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of("state", Map.of("s", "x"))), 3000)) {
      Transaction t = j.multi();
      t.lpush("s", "a");
      t.set("k", "v");
      List<Object> results = t.exec();
      assertThat(results.get(0)).isInstanceOf(Exception.class);
      assertThat(((Exception) results.get(0)).getMessage()).startsWith("WRONGTYPE");
      assertThat(j.get("k")).isEqualTo("v");
    }
  }

  @Test
  void watchAbortsExecWhenAnotherClientChangedTheKey() throws Exception {
    int port = start(Map.of("state", Map.of("balance", "10")));
    try (Jedis j = new Jedis("127.0.0.1", port, 3000); Jedis other = new Jedis("127.0.0.1", port, 3000)) {
      assertThat(j.watch("balance")).isEqualTo("OK");
      Transaction t = j.multi();
      t.incrBy("balance", 5);
      other.incrBy("balance", 1);
      assertThat(t.exec()).as("aborted: a null reply").isNull();
      assertThat(j.get("balance")).isEqualTo("11");

      j.watch("balance");
      Transaction ok = j.multi();
      ok.incrBy("balance", 5);
      assertThat(ok.exec()).containsExactly(16L);

      j.watch("balance");
      assertThat(j.unwatch()).isEqualTo("OK");
      other.set("balance", "0");
      Transaction after = j.multi();
      after.get("balance");
      assertThat(after.exec()).containsExactly("0");
      j.sendCommand(raw("MULTI"));
      assertThatThrownBy(() -> j.sendCommand(raw("WATCH"), "balance")).hasMessage("ERR WATCH inside MULTI is not allowed");
      j.sendCommand(raw("DISCARD"));
    }
  }
}
