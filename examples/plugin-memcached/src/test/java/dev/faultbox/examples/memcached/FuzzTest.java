package dev.faultbox.examples.memcached;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.testkit.reliability.ProtocolFuzz;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** The test kit's reliability fuzzing, which a third-party plugin gets as the built-in ones do. */
class FuzzTest extends ProtocolFuzz {

  private final MemcachedContractTest contract = new MemcachedContractTest();

  @Override
  protected MockProtocol plugin() {
    return new MemcachedPlugin();
  }

  @Override
  protected String protocol() {
    return "memcached";
  }

  @Override
  protected MockDefinition definition(int port) {
    return contract.definition(port);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override
  protected List<byte[]> validRequests() {
    return List.of(ascii("get greeting\r\n"), ascii("set k 0 60 5\r\nhello\r\n"), ascii("gets greeting k other\r\n"),
        ascii("add n 5 0 1 noreply\r\n7\r\nincr n 3\r\n"), ascii("delete k\r\n"), ascii("version\r\n"));
  }

  /** Storage commands whose flags, expiry or byte counts are out of range, and keys past 250 bytes. */
  @Override
  protected Arbitrary<byte[]> invalidFrames() {
    Arbitrary<String> number = Arbitraries.of("0", "-1", "4294967296", "99999999999999999999", "x", "", "1e3");
    Arbitrary<String> key = Arbitraries.of("k", "k".repeat(251), "a\u0000b", "sp ace");
    return Combinators.combine(key, number, number, number).as((k, flags, exptime, bytes) ->
        ascii("set " + k + " " + flags + " " + exptime + " " + bytes + "\r\nvalue\r\n"));
  }

  private int probes;

  /** Stores an item of its own, then reads it: fuzzed commands may have changed any other. */
  @Override
  protected boolean probe(InetSocketAddress at) throws Exception {
    String value = "probe-" + ++probes;
    try (TextClient c = new TextClient(at)) {
      c.send("set faultbox-probe 0 0 " + value.length() + "\r\n" + value + "\r\n");
      if (!c.readLine().equals("STORED\r\n")) {
        return false;
      }
      c.send("get faultbox-probe\r\n");
      return c.readUntil("END\r\n").equals("VALUE faultbox-probe 0 " + value.length() + "\r\n" + value + "\r\nEND\r\n");
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
