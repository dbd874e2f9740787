package dev.faultbox.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-command query limit (1 GiB as redis-server's client-query-buffer-limit), shown small. */
class QueryLimitTest {

  private static EmbeddedChannel decoder(long limit) {
    return new EmbeddedChannel(new RequestDecoder(new Session(true), false, limit));
  }

  private static void write(EmbeddedChannel ch, String bytes) {
    ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
  }

  @Test
  void aCommandWithinTheLimitIsRead() {
    EmbeddedChannel ch = decoder(1000);
    write(ch, "*2\r\n$3\r\nSET\r\n$" + 900 + "\r\n" + "v".repeat(900) + "\r\n");
    List<?> argv = ch.readInbound();
    assertThat(argv).hasSize(2);
    assertThat(((String) argv.get(1))).hasSize(900);
  }

  @Test
  void aCommandOverTheLimitIsRefusedSilentlyBeforeItsBytesArrive() {
    EmbeddedChannel ch = decoder(1000);
    write(ch, "*3\r\n$3\r\nSET\r\n$600\r\n" + "k".repeat(600) + "\r\n$600\r\n");
    Object refused = ch.readInbound();
    assertThat(refused).isInstanceOf(RequestDecoder.Refused.class);
    assertThat(((RequestDecoder.Refused) refused).silent()).isTrue();
    write(ch, "*1\r\n$4\r\nPING\r\n");
    assertThat((Object) ch.readInbound()).as("nothing is read after the refusal").isNull();
  }
}
