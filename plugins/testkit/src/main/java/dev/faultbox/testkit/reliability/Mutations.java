package dev.faultbox.testkit.reliability;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Malformed and mutated requests as jqwik arbitraries, from a protocol's valid requests: random
 * bytes, bit flips, truncations, byte edits, extreme numbers (decimal fields and binary length
 * fields), a slice repeated until it is oversized, splices of two requests, and a valid request
 * followed by garbage. Each input stays under {@link #MAX_INPUT} bytes.
 */
public final class Mutations {

  /** The largest input made: big enough to cross every plugin's default line and header limits. */
  public static final int MAX_INPUT = 96 * 1024;

  private static final Pattern NUMBER = Pattern.compile("-?\\d+");
  private static final List<String> EXTREME_DECIMALS = List.of(
      "0", "-1", "-0", "2147483647", "2147483648", "-2147483648", "4294967296", "9223372036854775807",
      "9223372036854775808", "99999999999999999999999", "00000000000000000001", "1e9", "0x10", "+5", " 5");
  private static final int[] EXTREME_INTS = {0, -1, 1, 0x7fffffff, 0x80000000, 0xffff, 0x10000, 0x00ffffff,
      0x01000000};

  private Mutations() {}

  /**
   * Every kind of mutation of {@code valid} (at least one request), plus {@code protocolSpecific}
   * inputs (invalid frames only the protocol knows how to make) when not null.
   */
  public static Arbitrary<byte[]> of(List<byte[]> valid, Arbitrary<byte[]> protocolSpecific) {
    if (valid.isEmpty()) {
      throw new IllegalArgumentException("at least one valid request to mutate");
    }
    Arbitrary<byte[]> request = Arbitraries.of(valid.stream().map(byte[]::clone).toList());
    List<Tuple.Tuple2<Integer, Arbitrary<byte[]>>> kinds = new ArrayList<>(List.of(
        Tuple.of(3, randomBytes()),
        Tuple.of(5, bitFlips(request)),
        Tuple.of(3, truncations(request)),
        Tuple.of(3, byteEdits(request)),
        Tuple.of(3, extremeNumbers(request)),
        Tuple.of(1, oversized(request)),
        Tuple.of(2, splices(request)),
        Tuple.of(2, trailingGarbage(request))));
    if (protocolSpecific != null) {
      kinds.add(Tuple.of(4, protocolSpecific));
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    Tuple.Tuple2<Integer, Arbitrary<? extends byte[]>>[] weighted = kinds.toArray(new Tuple.Tuple2[0]);
    return Arbitraries.frequencyOf(weighted).map(Mutations::capped);
  }

  /** Random bytes, mostly short, some of a few KiB. */
  public static Arbitrary<byte[]> randomBytes() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64)),
        Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(4096)));
  }

  /** One to eight bits of a request flipped. */
  public static Arbitrary<byte[]> bitFlips(Arbitrary<byte[]> request) {
    return request.flatMap(r -> Arbitraries.integers().between(0, r.length * 8 - 1).list().ofMinSize(1).ofMaxSize(8)
        .map(bits -> {
          byte[] out = r.clone();
          for (int bit : bits) {
            out[bit / 8] ^= (byte) (1 << (bit % 8));
          }
          return out;
        }));
  }

  /** A request cut short (never empty). */
  public static Arbitrary<byte[]> truncations(Arbitrary<byte[]> request) {
    return request.filter(r -> r.length > 1)
        .flatMap(r -> Arbitraries.integers().between(1, r.length - 1).map(n -> Arrays.copyOf(r, n)));
  }

  /** A run of bytes inserted, deleted or overwritten somewhere in a request. */
  public static Arbitrary<byte[]> byteEdits(Arbitrary<byte[]> request) {
    Arbitrary<byte[]> run = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(16);
    return Combinators.combine(request, Arbitraries.integers().between(0, 2), Arbitraries.doubles().between(0, 1), run)
        .as((r, op, where, bytes) -> {
          int at = (int) (where * r.length);
          return switch (op) {
            case 0 -> concat(Arrays.copyOf(r, at), bytes, Arrays.copyOfRange(r, at, r.length));
            case 1 -> concat(Arrays.copyOf(r, at), Arrays.copyOfRange(r, Math.min(r.length, at + bytes.length), r.length));
            default -> {
              byte[] out = r.clone();
              System.arraycopy(bytes, 0, out, at, Math.min(bytes.length, out.length - at));
              yield out;
            }
          };
        });
  }

  /**
   * A decimal number of the request (a Content-Length, a RESP count) replaced by an extreme
   * one, or, for binary protocols, four bytes overwritten with an extreme big-endian int (a length
   * field, wherever it is).
   */
  public static Arbitrary<byte[]> extremeNumbers(Arbitrary<byte[]> request) {
    Arbitrary<byte[]> decimal = Combinators.combine(request, Arbitraries.integers().between(0, 1000),
        Arbitraries.of(EXTREME_DECIMALS)).as((r, which, number) -> {
          String text = new String(r, StandardCharsets.ISO_8859_1);
          Matcher m = NUMBER.matcher(text);
          List<int[]> spans = new ArrayList<>();
          while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
          }
          if (spans.isEmpty()) {
            return r;
          }
          int[] span = spans.get(which % spans.size());
          return (text.substring(0, span[0]) + number + text.substring(span[1])).getBytes(StandardCharsets.ISO_8859_1);
        });
    Arbitrary<byte[]> binary = Combinators.combine(request.filter(r -> r.length >= 4),
        Arbitraries.doubles().between(0, 1), Arbitraries.of(Arrays.stream(EXTREME_INTS).boxed().toList()))
        .as((r, where, value) -> {
          byte[] out = r.clone();
          int at = (int) (where * (r.length - 4));
          out[at] = (byte) (value >>> 24);
          out[at + 1] = (byte) (value >>> 16);
          out[at + 2] = (byte) (value >>> 8);
          out[at + 3] = (byte) (int) value;
          return out;
        });
    return Arbitraries.oneOf(decimal, binary);
  }

  /**
   * A slice of a request (a header, an argument) repeated until the request is just over a
   * common limit (8 KiB headers, 64 KiB lines) or {@link #MAX_INPUT}. The
   * slice loses its line ends, so one line or field grows (thousands of pipelined commands would
   * test throughput, not limits).
   */
  public static Arbitrary<byte[]> oversized(Arbitrary<byte[]> request) {
    return Combinators.combine(request, Arbitraries.doubles().between(0, 1), Arbitraries.integers().between(1, 64),
        Arbitraries.of(8 * 1024 + 1, 16 * 1024 + 1, 64 * 1024 + 1, MAX_INPUT)).as((r, where, length, target) -> {
          int from = (int) (where * (r.length - 1));
          byte[] slice = withoutLineEnds(Arrays.copyOfRange(r, from, Math.min(r.length, from + length)));
          byte[] out = new byte[target];
          System.arraycopy(r, 0, out, 0, from);
          int at = from;
          while (at < target - (r.length - from)) {
            int n = Math.min(slice.length, target - (r.length - from) - at);
            System.arraycopy(slice, 0, out, at, n);
            at += n;
          }
          System.arraycopy(r, from, out, at, Math.min(r.length - from, target - at));
          return out;
        });
  }

  /** The head of one request joined to the tail of another. */
  public static Arbitrary<byte[]> splices(Arbitrary<byte[]> request) {
    return Combinators.combine(request, request, Arbitraries.doubles().between(0, 1), Arbitraries.doubles().between(0, 1))
        .as((a, b, cutA, cutB) -> concat(Arrays.copyOf(a, (int) (cutA * a.length)),
            Arrays.copyOfRange(b, (int) (cutB * b.length), b.length)));
  }

  /** A valid request, then bytes that are not one (pipelined garbage). */
  public static Arbitrary<byte[]> trailingGarbage(Arbitrary<byte[]> request) {
    return Combinators.combine(request, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(256))
        .as(Mutations::concat);
  }

  /** The bytes, one after another. */
  public static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += Objects.requireNonNull(p).length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static byte[] withoutLineEnds(byte[] slice) {
    byte[] kept = new byte[slice.length];
    int n = 0;
    for (byte b : slice) {
      if (b != '\r' && b != '\n') {
        kept[n++] = b;
      }
    }
    return n == 0 ? new byte[] {'x'} : Arrays.copyOf(kept, n);
  }

  private static byte[] capped(byte[] input) {
    return input.length <= MAX_INPUT ? input : Arrays.copyOf(input, MAX_INPUT);
  }

  /** The bytes as lower-case hex, at most {@code limit} of them (then the total length). */
  public static String hex(byte[] bytes, int limit) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(limit, bytes.length); i++) {
      s.append(Character.forDigit((bytes[i] >> 4) & 0xf, 16)).append(Character.forDigit(bytes[i] & 0xf, 16));
    }
    if (bytes.length > limit) {
      s.append("... (").append(bytes.length).append(" bytes in all)");
    }
    return s.toString();
  }
}
