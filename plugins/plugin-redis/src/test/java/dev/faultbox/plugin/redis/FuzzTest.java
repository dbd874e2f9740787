package dev.faultbox.plugin.redis;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.testkit.reliability.ProtocolFuzz;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** The reliability suite's fuzzing of RESP: mutated commands, multibulks and inline lines. */
class FuzzTest extends ProtocolFuzz {

  private final ContractTest contract = new ContractTest();

  @Override
  protected MockProtocol plugin() {
    return new RedisProtocol();
  }

  @Override
  protected String protocol() {
    return "redis";
  }

  @Override
  protected MockDefinition definition(int port) {
    return contract.definition(port);
  }

  private static byte[] resp(String... args) {
    return Resp.command(List.of(args));
  }

  @Override
  protected List<byte[]> validRequests() {
    return List.of(
        resp("GET", "greeting"),
        resp("SET", "k", "some value", "EX", "100"),
        resp("HSET", "h", "f1", "v1", "f2", "v2"),
        resp("ZADD", "z", "1.5", "a", "2", "b"),
        resp("XADD", "s", "*", "field", "value"),
        resp("MULTI"),
        resp("EVAL", "return 1", "0"),
        "PING\r\nINCR counter\r\n".getBytes(StandardCharsets.US_ASCII),
        "SET quoted \"a\\x41\\n\" 'b'\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  /** Counts and lengths that are absurd, negative or not numbers, in a multibulk. */
  @Override
  protected Arbitrary<byte[]> invalidFrames() {
    Arbitrary<String> count = Arbitraries.of("-1", "-2", "0", "1", "3", "1048577", "99999999999", "abc", "", "+1", "1 ");
    return net.jqwik.api.Combinators.combine(count, count, Arbitraries.strings().ofMaxLength(8))
        .as((n, len, arg) -> ("*" + n + "\r\n$" + len + "\r\n" + arg + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
  }

  private int probes;

  /** Writes a key of its own, then reads it: fuzzed commands may have changed any other. */
  @Override
  protected boolean probe(InetSocketAddress at) throws Exception {
    String value = "probe-" + ++probes;
    try (RawResp client = new RawResp(at.getPort())) {
      return client.call("SET", "faultbox:probe", value).equals("+OK\r\n")
          && client.call("GET", "faultbox:probe").equals("$" + value.length() + "\r\n" + value + "\r\n");
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
