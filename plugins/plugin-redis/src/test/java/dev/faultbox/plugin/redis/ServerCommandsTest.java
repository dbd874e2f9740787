package dev.faultbox.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

/** INFO, CONFIG, COMMAND, FUNCTION, RESET and the script and cluster refusals, through Jedis. */
class ServerCommandsTest extends MockTestSupport {

  private static ProtocolCommand raw(String name) {
    byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return () -> bytes;
  }

  @Test
  void whatClientsAskAtStart() throws Exception {
    try (Jedis j = new Jedis("127.0.0.1", start(Map.of("state", Map.of("a", "1"))), 3000)) {
      assertThat(j.info()).contains("redis_version:7.0.15").contains("role:master").contains("db0:keys=1,expires=0");
      assertThat(j.configGet("maxmemory*")).containsEntry("maxmemory", "0").containsEntry("maxmemory-policy", "noeviction");
      assertThat(j.configSet("maxmemory", "100mb")).isEqualTo("OK");
      assertThat(j.configGet("maxmemory")).containsEntry("maxmemory", "100mb");
      assertThatThrownBy(() -> j.configSet("no-such-thing", "1"))
          .hasMessage("ERR Unknown option or number of arguments for CONFIG SET - 'no-such-thing'");
      assertThat(j.configResetStat()).isEqualTo("OK");
      assertThat((Long) j.sendCommand(raw("COMMAND"), "COUNT")).isGreaterThan(100);
      assertThat((List<?>) j.sendCommand(raw("COMMAND"), "DOCS")).isEmpty();
      assertThat(new String((byte[]) j.sendCommand(raw("FUNCTION"), "FLUSH"))).isEqualTo("OK");
      assertThat((List<?>) j.sendCommand(raw("FUNCTION"), "LIST")).isEmpty();
      assertThatThrownBy(() -> j.eval("return 1")).hasMessage("ERR the Faultbox Redis mock does not run scripts");
      assertThatThrownBy(() -> j.sendCommand(raw("CLUSTER"), "INFO"))
          .hasMessage("ERR This instance has cluster support disabled");
      j.select(3);
      j.sendCommand(raw("MULTI"));
      assertThat(new String((byte[]) j.sendCommand(raw("RESET")))).isEqualTo("RESET");
      assertThat(j.get("a")).as("back in db 0, out of MULTI").isEqualTo("1");
    }
  }
}
