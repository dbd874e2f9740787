package dev.faultbox.examples.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.spi.MockEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The text protocol as a raw client on 127.0.0.1 speaks it, against a seeded mock. */
class ProtocolTest {

  private Running mock;
  private TextClient c;

  @BeforeEach
  void start() throws Exception {
    mock = new Running(Map.of("user:1", "alice", "user:2", "bob", "hits", 41L, "raw", new byte[] {0, (byte) 0xff}));
    c = mock.client();
  }

  @AfterEach
  void stop() throws Exception {
    c.close();
    mock.close();
  }

  @Test
  void getAndGetsReturnSeededValuesAndSkipMissingKeys() throws Exception {
    c.send("get user:1 nope user:2\r\n");
    assertThat(c.readUntil("END\r\n")).isEqualTo("VALUE user:1 0 5\r\nalice\r\nVALUE user:2 0 3\r\nbob\r\nEND\r\n");
    c.send("get hits raw\r\n");
    assertThat(c.readUntil("END\r\n")).isEqualTo("VALUE hits 0 2\r\n41\r\nVALUE raw 0 2\r\n\u0000\u00ff\r\nEND\r\n");
    c.send("gets user:1\r\n");
    assertThat(c.readUntil("END\r\n")).matches("VALUE user:1 0 5 \\d+\r\nalice\r\nEND\r\n");
    assertThat(c.call("get nope\r\n")).isEqualTo("END\r\n");
  }

  @Test
  void eachCommandIsOneEventWithItsKeyHitAndBytes() throws Exception {
    c.send("get user:1 nope\r\n");
    c.readUntil("END\r\n");
    c.call("set k 7 0 3\r\nabc\r\n");
    c.call("delete nope\r\n");
    List<MockEvent> events = mock.context.recorded();
    assertThat(events).extracting(MockEvent::op).containsExactly("get", "set", "delete");
    assertThat(events.get(0).fields())
        .containsEntry("command", "get").containsEntry("key", "user:1 nope")
        .containsEntry("hit", false).containsEntry("hits", 1).containsEntry("bytes", 5);
    assertThat(events.get(1).fields()).containsEntry("key", "k").containsEntry("bytes", 3).containsEntry("flags", 7L)
        .containsEntry("result", "STORED");
    assertThat(events.get(2).fields()).containsEntry("hit", false).containsEntry("result", "NOT_FOUND");
    assertThat(events.get(0).service()).isEqualTo("cache");
    assertThat(events.get(0).iface()).isEqualTo("main");
  }

  @Test
  void storageCommandsKeepMemcachedsRules() throws Exception {
    assertThat(c.call("set a 42 0 1\r\nx\r\n")).isEqualTo("STORED\r\n");
    assertThat(c.call("add a 0 0 1\r\ny\r\n")).isEqualTo("NOT_STORED\r\n");
    assertThat(c.call("add b 0 0 1\r\ny\r\n")).isEqualTo("STORED\r\n");
    assertThat(c.call("replace c 0 0 1\r\nz\r\n")).isEqualTo("NOT_STORED\r\n");
    assertThat(c.call("replace a 5 0 2\r\nzz\r\n")).isEqualTo("STORED\r\n");
    assertThat(c.call("append a 0 0 2\r\n++\r\n")).isEqualTo("STORED\r\n");
    assertThat(c.call("prepend a 0 0 2\r\n--\r\n")).isEqualTo("STORED\r\n");
    assertThat(c.call("append nope 0 0 1\r\nq\r\n")).isEqualTo("NOT_STORED\r\n");
    c.send("get a\r\n");
    assertThat(c.readUntil("END\r\n")).isEqualTo("VALUE a 5 6\r\n--zz++\r\nEND\r\n");
    assertThat(c.call("set empty 0 0 0\r\n\r\n")).isEqualTo("STORED\r\n");
    c.send("get empty\r\n");
    assertThat(c.readUntil("END\r\n")).isEqualTo("VALUE empty 0 0\r\n\r\nEND\r\n");
  }

  @Test
  void casStoresOnlyOverTheUniqueItWasGiven() throws Exception {
    c.send("gets user:1\r\n");
    String unique = c.readUntil("END\r\n").split("\r\n")[0].split(" ")[4];
    assertThat(c.call("cas user:1 0 0 3 " + unique + "\r\neve\r\n")).isEqualTo("STORED\r\n");
    assertThat(c.call("cas user:1 0 0 3 " + unique + "\r\nmal\r\n")).isEqualTo("EXISTS\r\n");
    assertThat(c.call("cas nope 0 0 1 1\r\nx\r\n")).isEqualTo("NOT_FOUND\r\n");
    c.send("gets user:1\r\n");
    String after = c.readUntil("END\r\n");
    assertThat(after).startsWith("VALUE user:1 0 3 ").contains("\r\neve\r\n").doesNotContain(" " + unique + "\r\n");
  }

  @Test
  void deleteIncrDecrAndTouch() throws Exception {
    assertThat(c.call("delete user:2\r\n")).isEqualTo("DELETED\r\n");
    assertThat(c.call("delete user:2\r\n")).isEqualTo("NOT_FOUND\r\n");
    assertThat(c.call("delete user:1 0\r\n")).isEqualTo("DELETED\r\n");
    assertThat(c.call("incr hits 1\r\n")).isEqualTo("42\r\n");
    assertThat(c.call("decr hits 50\r\n")).isEqualTo("0\r\n");
    assertThat(c.call("set big 0 0 20\r\n18446744073709551615\r\n")).isEqualTo("STORED\r\n");
    assertThat(c.call("incr big 2\r\n")).isEqualTo("1\r\n");
    assertThat(c.call("incr nope 1\r\n")).isEqualTo("NOT_FOUND\r\n");
    assertThat(c.call("incr raw 1\r\n")).isEqualTo("CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
    assertThat(c.call("incr hits -1\r\n")).isEqualTo("CLIENT_ERROR invalid numeric delta argument\r\n");
    assertThat(c.call("touch hits 100\r\n")).isEqualTo("TOUCHED\r\n");
    assertThat(c.call("touch nope 100\r\n")).isEqualTo("NOT_FOUND\r\n");
    assertThat(mock.context.recorded("incr").get(0).fields()).containsEntry("value", 42L).containsEntry("hit", true);
  }

  @Test
  void itemsExpireByExptimeAndTouchMovesTheExpiry() throws Exception {
    assertThat(c.call("set soon 0 1 1\r\nx\r\n")).isEqualTo("STORED\r\n");
    assertThat(c.call("set gone 0 -1 1\r\nx\r\n")).isEqualTo("STORED\r\n");
    assertThat(c.call("touch user:1 1\r\n")).isEqualTo("TOUCHED\r\n");
    assertThat(c.call("get gone\r\n")).isEqualTo("END\r\n");
    c.send("get soon\r\n");
    assertThat(c.readUntil("END\r\n")).startsWith("VALUE soon");
    Thread.sleep(1100);
    assertThat(c.call("get soon user:1\r\n")).isEqualTo("END\r\n");
    c.send("get user:2\r\n");
    assertThat(c.readUntil("END\r\n")).startsWith("VALUE user:2");
  }

  @Test
  void flushAllVersionVerbosityStatsAndQuit() throws Exception {
    assertThat(c.call("version\r\n")).isEqualTo("VERSION 1.6.0\r\n");
    assertThat(c.call("verbosity 1\r\n")).isEqualTo("OK\r\n");
    c.send("stats\r\n");
    String stats = c.readUntil("END\r\n");
    assertThat(stats).contains("STAT curr_items 4\r\n").containsPattern("STAT netty 4\\.1\\.\\d+\\.Final\r\n");
    assertThat(c.call("flush_all\r\n")).isEqualTo("OK\r\n");
    assertThat(c.call("get user:1\r\n")).isEqualTo("END\r\n");
    c.send("quit\r\n");
    assertThat(c.closedByPeer()).isTrue();
  }

  @Test
  void noreplySuppressesTheReplyButNotTheEffect() throws Exception {
    c.send("set q 0 0 1 noreply\r\nx\r\ndelete user:1 noreply\r\nincr hits 1 noreply\r\nset bad 0 0 x noreply\r\n");
    c.send("get q user:1 hits\r\n");
    assertThat(c.readUntil("END\r\n")).isEqualTo("VALUE q 0 1\r\nx\r\nVALUE hits 0 2\r\n42\r\nEND\r\n");
    assertThat(mock.context.recorded("set").get(0).fields()).containsEntry("noreply", true);
  }

  @Test
  void badInputIsAnsweredAndTheConnectionServesOn() throws Exception {
    assertThat(c.call("bogus\r\n")).isEqualTo("ERROR\r\n");
    assertThat(c.call("\r\n")).isEqualTo("ERROR\r\n");
    assertThat(c.call("GET user:1\r\n")).isEqualTo("ERROR\r\n");
    assertThat(c.call("get\r\n")).isEqualTo("ERROR\r\n");
    assertThat(c.call("set k 0 0\r\n")).isEqualTo("CLIENT_ERROR bad command line format\r\n");
    assertThat(c.call("set k x 0 1\r\nv\r\n")).isEqualTo("CLIENT_ERROR bad command line format\r\n");
    assertThat(c.call("set k 0 0 1\r\nvvv\r\n")).isEqualTo("CLIENT_ERROR bad data chunk\r\n");
    assertThat(c.readLine()).as("what followed the block, taken as a command").isEqualTo("ERROR\r\n");
    assertThat(c.call("set " + "k".repeat(251) + " 0 0 1\r\nv\r\n")).isEqualTo("CLIENT_ERROR bad command line format\r\n");
    assertThat(c.call("set k 0 0 2000000\r\n" + "v".repeat(2_000_000) + "\r\n"))
        .isEqualTo("SERVER_ERROR object too large for cache\r\n");
    assertThat(c.call("touch k\r\n")).isEqualTo("CLIENT_ERROR bad command line format\r\n");
    assertThat(c.call("delete user:1 5\r\n")).isEqualTo("CLIENT_ERROR bad command line format\r\n");
    assertThat(c.call("incr hits 1\r\n")).isEqualTo("42\r\n");
    MockEvent unknown = mock.context.recorded("unknown").get(0);
    assertThat(unknown.fields()).containsEntry("command", "bogus").containsEntry("result", "ERROR");
    assertThat(mock.context.recorded("set").get(2).fields()).containsEntry("error", "bad data chunk");
  }

  @Test
  void aLineTooLongClosesThatConnectionOnly() throws Exception {
    c.send("get " + "k ".repeat(40_000) + "\r\n");
    assertThat(c.readLine()).isEqualTo("CLIENT_ERROR line too long\r\n");
    assertThat(c.closedByPeer()).isTrue();
    try (TextClient other = mock.client()) {
      assertThat(other.call("version\r\n")).isEqualTo("VERSION 1.6.0\r\n");
    }
  }

  @Test
  void pipelinedCommandsAreAnsweredInOrder() throws Exception {
    c.send("set p 0 0 1\r\n1\r\nincr p 5\r\nget p\r\ndelete p\r\n");
    assertThat(c.readUntil("DELETED\r\n")).isEqualTo("STORED\r\n6\r\nVALUE p 0 1\r\n6\r\nEND\r\nDELETED\r\n");
  }

  @Test
  void eachTestStartsFromTheSeedAgain() throws Exception {
    c.call("delete user:1\r\n");
    c.close();
    mock.close();
    mock = new Running(Map.of("user:1", "alice"));
    c = mock.client();
    c.send("get user:1\r\n");
    assertThat(c.readUntil("END\r\n")).isEqualTo("VALUE user:1 0 5\r\nalice\r\nEND\r\n");
    assertThat(mock.context.awaitEvent(Duration.ofSeconds(5)).op()).isEqualTo("get");
  }
}
