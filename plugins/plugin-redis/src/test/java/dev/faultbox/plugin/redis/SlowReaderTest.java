package dev.faultbox.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** A client that never reads its replies is paused, not buffered without bound; others are served. */
class SlowReaderTest extends MockTestSupport {

  @Test
  void aClientThatNeverReadsDoesNotStopOthers() throws Exception {
    int port = start(Map.of("state", Map.of("big", "x".repeat(100_000))));
    byte[] get = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] many = new byte[get.length * 1000];
    for (int i = 0; i < 1000; i++) {
      System.arraycopy(get, 0, many, i * get.length, get.length);
    }
    try (Socket hog = new Socket("127.0.0.1", port)) {
      hog.setReceiveBufferSize(4096);
      OutputStream out = hog.getOutputStream();
      // 3000 GETs: 300 MB of replies if all were buffered; the writes themselves may block once
      // the mock stops reading, so they run on their own thread.
      Thread writer = new Thread(() -> {
        try {
          for (int round = 0; round < 3; round++) {
            out.write(many);
          }
        } catch (Exception e) {
          // closed at the end of the test
        }
      });
      writer.setDaemon(true);
      writer.start();
      Thread.sleep(500);
      Runtime rt = Runtime.getRuntime();
      long used = rt.totalMemory() - rt.freeMemory();
      try (Jedis j = new Jedis("127.0.0.1", port, 3000)) {
        assertThat(j.ping()).isEqualTo("PONG");
        assertThat(j.strlen("big")).isEqualTo(100_000);
      }
      assertThat(used).as("heap in use while a client does not read").isLessThan(200L * 1024 * 1024);
      assertThat(context.recorded("GET").size()).as("the hog was paused").isLessThan(3000);
    }
  }
}
