package dev.faultbox.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Replies in both protocols, byte for byte as redis-server 7.0 writes them. */
class ReplyTest {

  private static String written(Reply r, boolean resp3) {
    ByteBuf out = Unpooled.buffer();
    try {
      r.write(out, resp3);
      return out.toString(StandardCharsets.ISO_8859_1);
    } finally {
      out.release();
    }
  }

  @Test
  void doublesAreFormattedLikeCsPercent17g() {
    assertThat(Reply.Real.format(1.5)).isEqualTo("1.5");
    assertThat(Reply.Real.format(0.1)).isEqualTo("0.10000000000000001");
    assertThat(Reply.Real.format(100)).isEqualTo("100");
    assertThat(Reply.Real.format(-2.25)).isEqualTo("-2.25");
    assertThat(Reply.Real.format(1e20)).isEqualTo("1e+20");
    assertThat(Reply.Real.format(1e-5)).isEqualTo("1.0000000000000001e-05");
    assertThat(Reply.Real.format(0.0001)).isEqualTo("0.0001");
    assertThat(Reply.Real.format(123456789012345678d)).isEqualTo("1.2345678901234568e+17");
    assertThat(Reply.Real.format(Double.POSITIVE_INFINITY)).isEqualTo("inf");
    assertThat(Reply.Real.format(Double.NEGATIVE_INFINITY)).isEqualTo("-inf");
    assertThat(Reply.Real.format(0)).isEqualTo("0");
  }

  @Test
  void resp3TypesFallBackToTheirResp2Forms() {
    Reply map = new Reply.Pairs(List.of(Reply.bulk("a"), new Reply.Int(1)));
    assertThat(written(map, false)).isEqualTo("*2\r\n$1\r\na\r\n:1\r\n");
    assertThat(written(map, true)).isEqualTo("%1\r\n$1\r\na\r\n:1\r\n");
    Reply set = new Reply.Members(List.of(Reply.bulk("x")));
    assertThat(written(set, false)).isEqualTo("*1\r\n$1\r\nx\r\n");
    assertThat(written(set, true)).isEqualTo("~1\r\n$1\r\nx\r\n");
    assertThat(written(new Reply.Real(2.5), false)).isEqualTo("$3\r\n2.5\r\n");
    assertThat(written(new Reply.Real(2.5), true)).isEqualTo(",2.5\r\n");
    assertThat(written(Reply.NULL, false)).isEqualTo("$-1\r\n");
    assertThat(written(Reply.NULL_ARRAY, false)).isEqualTo("*-1\r\n");
    assertThat(written(Reply.NULL, true)).isEqualTo("_\r\n");
    assertThat(written(Reply.NULL_ARRAY, true)).isEqualTo("_\r\n");
    assertThat(written(new Reply.Bool(true), false)).isEqualTo(":1\r\n");
    assertThat(written(new Reply.Bool(true), true)).isEqualTo("#t\r\n");
    assertThat(written(new Reply.Verbatim("hi"), true)).isEqualTo("=6\r\ntxt:hi\r\n");
    assertThat(written(new Reply.Verbatim("hi"), false)).isEqualTo("$2\r\nhi\r\n");
    Reply push = new Reply.Push(List.of(Reply.bulk("message")));
    assertThat(written(push, true)).isEqualTo(">1\r\n$7\r\nmessage\r\n");
    assertThat(written(push, false)).isEqualTo("*1\r\n$7\r\nmessage\r\n");
  }

  @Test
  void binaryStringsAreWrittenByteForByte() {
    String binary = "\u00ff\u0000\r\n";
    assertThat(written(Reply.bulk(binary), false)).isEqualTo("$4\r\n" + binary + "\r\n");
    assertThat(written(Reply.error("ERR unknown command '\u00ff'"), false)).isEqualTo("-ERR unknown command '\u00ff'\r\n");
  }
}
