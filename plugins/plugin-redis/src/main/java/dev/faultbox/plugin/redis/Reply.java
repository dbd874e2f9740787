package dev.faultbox.plugin.redis;

import io.netty.buffer.ByteBuf;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A reply as the commands compute it, free of Netty buffers (a reply never sent needs no release),
 * written in RESP2 or RESP3 by {@link #write}. The RESP3-only types (double, map, set, boolean,
 * push, verbatim) fall back to their RESP2 forms as redis-server's do. Byte strings are held as
 * ISO-8859-1 {@code String}s, one char per byte, like the keyspace.
 */
sealed interface Reply {

  /** The RESP type the client receives, as events record it. */
  String type(boolean resp3);

  void write(ByteBuf out, boolean resp3);

  record Simple(String text) implements Reply {
    public String type(boolean resp3) {
      return "simple_string";
    }

    public void write(ByteBuf out, boolean resp3) {
      line(out, '+', text);
    }
  }

  /** An error; {@code text} is a binary string like the rest (it may quote a client's bytes). */
  record Error(String text) implements Reply {
    public String type(boolean resp3) {
      return "error";
    }

    public void write(ByteBuf out, boolean resp3) {
      // As redis-server: a CR or LF in the text (a quoted argument) would break the protocol, so each is a space.
      line(out, '-', text.indexOf('\r') < 0 && text.indexOf('\n') < 0 ? text : text.replace('\r', ' ').replace('\n', ' '));
    }
  }

  record Int(long value) implements Reply {
    public String type(boolean resp3) {
      return "integer";
    }

    public void write(ByteBuf out, boolean resp3) {
      line(out, ':', Long.toString(value));
    }
  }

  /** A bulk string; {@code bytes} is a binary string (ISO-8859-1), {@code null} for the null reply. */
  record Bulk(String bytes) implements Reply {
    public String type(boolean resp3) {
      return bytes == null ? "null" : "bulk_string";
    }

    public void write(ByteBuf out, boolean resp3) {
      if (bytes == null) {
        out.writeBytes(resp3 ? NULL3 : NULL_BULK2);
      } else {
        bulk(out, '$', bytes);
      }
    }
  }

  /** An array; {@code items} {@code null} for the null reply. */
  record Array(List<Reply> items) implements Reply {
    public String type(boolean resp3) {
      return items == null ? "null" : "array";
    }

    public void write(ByteBuf out, boolean resp3) {
      if (items == null) {
        out.writeBytes(resp3 ? NULL3 : NULL_ARRAY2);
      } else {
        aggregate(out, '*', items, 1, resp3);
      }
    }
  }

  /** A double: RESP3 {@code ,}; RESP2 a bulk string, both in redis-server's {@code %.17g}. */
  record Real(double value) implements Reply {
    public String type(boolean resp3) {
      return resp3 ? "double" : "bulk_string";
    }

    public void write(ByteBuf out, boolean resp3) {
      if (resp3) {
        line(out, ',', format(value));
      } else {
        bulk(out, '$', format(value));
      }
    }

    /** C's {@code %.17g}, as redis-server 7.0 formats scores: 1.5 → "1.5", 0.1 → "0.10000000000000001". */
    static String format(double d) {
      if (java.lang.Double.isInfinite(d)) {
        return d > 0 ? "inf" : "-inf";
      }
      if (java.lang.Double.isNaN(d)) {
        return "nan";
      }
      if (d == 0) {
        return (1 / d < 0) ? "-0" : "0";
      }
      BigDecimal v = new BigDecimal(d).round(new MathContext(17));
      int exponent = v.precision() - v.scale() - 1;
      if (exponent < -4 || exponent >= 17) {
        String digits = v.unscaledValue().abs().toString();
        String mantissa = trimZeros(digits.charAt(0) + "." + digits.substring(1));
        return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
            + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
      }
      return trimZeros(v.toPlainString());
    }

    private static String trimZeros(String s) {
      if (s.indexOf('.') < 0) {
        return s;
      }
      int end = s.length();
      while (s.charAt(end - 1) == '0') {
        end--;
      }
      if (s.charAt(end - 1) == '.') {
        end--;
      }
      return s.substring(0, end);
    }
  }

  /** A map as alternating keys and values: RESP3 {@code %}; RESP2 a flat array. */
  record Pairs(List<Reply> flat) implements Reply {
    public String type(boolean resp3) {
      return resp3 ? "map" : "array";
    }

    public void write(ByteBuf out, boolean resp3) {
      aggregate(out, resp3 ? '%' : '*', flat, resp3 ? 2 : 1, resp3);
    }
  }

  /** A set: RESP3 {@code ~}; RESP2 an array. */
  record Members(List<Reply> items) implements Reply {
    public String type(boolean resp3) {
      return resp3 ? "set" : "array";
    }

    public void write(ByteBuf out, boolean resp3) {
      aggregate(out, resp3 ? '~' : '*', items, 1, resp3);
    }
  }

  /** A boolean: RESP3 {@code #t}/{@code #f}; RESP2 the integer 1 or 0. */
  record Bool(boolean value) implements Reply {
    public String type(boolean resp3) {
      return resp3 ? "boolean" : "integer";
    }

    public void write(ByteBuf out, boolean resp3) {
      if (resp3) {
        line(out, '#', value ? "t" : "f");
      } else {
        line(out, ':', value ? "1" : "0");
      }
    }
  }

  /** Out-of-band data (pub/sub messages): RESP3 {@code >}; RESP2 an array. */
  record Push(List<Reply> items) implements Reply {
    public String type(boolean resp3) {
      return resp3 ? "push" : "array";
    }

    public void write(ByteBuf out, boolean resp3) {
      aggregate(out, resp3 ? '>' : '*', items, 1, resp3);
    }
  }

  /** Text meant for people (INFO, CLIENT INFO): RESP3 {@code =} with format {@code txt}; RESP2 a bulk string. */
  record Verbatim(String text) implements Reply {
    public String type(boolean resp3) {
      return resp3 ? "verbatim_string" : "bulk_string";
    }

    public void write(ByteBuf out, boolean resp3) {
      bulk(out, resp3 ? '=' : '$', resp3 ? "txt:" + text : text);
    }
  }

  /** Several replies written back to back (one command answering more than once: SUBSCRIBE a b). */
  record Many(List<Reply> replies) implements Reply {
    public String type(boolean resp3) {
      return replies.isEmpty() ? "none" : replies.get(0).type(resp3);
    }

    public void write(ByteBuf out, boolean resp3) {
      for (Reply r : replies) {
        r.write(out, resp3);
      }
    }
  }

  /**
   * No reply yet: the client is blocked (BLPOP, XREAD BLOCK) until {@code reply} completes;
   * {@link RedisAnswers#route} hands it to the exchange as a later reply.
   */
  record Blocked(java.util.concurrent.CompletableFuture<Reply> reply) implements Reply {
    public String type(boolean resp3) {
      return "none";
    }

    public void write(ByteBuf out, boolean resp3) {
      throw new UnsupportedOperationException("a blocked reply writes nothing");
    }
  }

  /** No reply: the connection closes (a drop or reset fault). */
  record Close() implements Reply {
    public String type(boolean resp3) {
      return "none";
    }

    public void write(ByteBuf out, boolean resp3) {
      throw new UnsupportedOperationException("a closing reply writes nothing");
    }
  }

  /** A reply, then the connection closes (QUIT, a protocol error). */
  record ThenClose(Reply reply) implements Reply {
    public String type(boolean resp3) {
      return reply.type(resp3);
    }

    public void write(ByteBuf out, boolean resp3) {
      reply.write(out, resp3);
    }
  }

  Reply OK = new Simple("OK");
  Reply NULL = new Bulk(null);
  Reply NULL_ARRAY = new Array(null);
  Reply ZERO = new Int(0);
  Reply ONE = new Int(1);

  static Reply bulk(String binary) {
    return new Bulk(binary);
  }

  static Reply bulks(List<String> binaries) {
    return new Array(bulkList(binaries));
  }

  static List<Reply> bulkList(List<String> binaries) {
    List<Reply> items = new ArrayList<>(binaries.size());
    for (String b : binaries) {
      items.add(new Bulk(b));
    }
    return items;
  }

  static Reply error(String text) {
    return new Error(text);
  }

  /** The reply as a client reads it: the error text for an error, else null. */
  static String errorText(Reply reply) {
    Reply shown = reply instanceof ThenClose then ? then.reply() : reply;
    return shown instanceof Error e ? e.text() : null;
  }

  byte[] NULL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
  byte[] NULL_BULK2 = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
  byte[] NULL_ARRAY2 = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);

  private static void line(ByteBuf out, char type, String binary) {
    out.writeByte(type);
    out.writeCharSequence(binary, StandardCharsets.ISO_8859_1);
    out.writeShort(0x0d0a);
  }

  private static void bulk(ByteBuf out, char type, String binary) {
    out.writeByte(type);
    writeLong(out, binary.length());
    out.writeShort(0x0d0a);
    out.writeCharSequence(binary, StandardCharsets.ISO_8859_1);
    out.writeShort(0x0d0a);
  }

  private static void aggregate(ByteBuf out, char type, List<Reply> items, int per, boolean resp3) {
    out.writeByte(type);
    writeLong(out, items.size() / per);
    out.writeShort(0x0d0a);
    for (Reply item : items) {
      item.write(out, resp3);
    }
  }

  private static void writeLong(ByteBuf out, long n) {
    if (n >= 0 && n < 10) {
      out.writeByte('0' + (int) n);
    } else {
      out.writeCharSequence(Long.toString(n), StandardCharsets.US_ASCII);
    }
  }
}
