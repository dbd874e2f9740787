package dev.faultbox.plugin.redis;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads commands as redis-server 7 does ({@code processMultibulkBuffer} and
 * {@code processInlineBuffer}): a {@code *} starts a multibulk of {@code $} bulk strings, anything
 * else is an inline line ending in {@code \n} or {@code \r\n}. Emits each command's arguments as
 * binary strings, or one {@link Refused} with redis-server's protocol-error text, after which it
 * reads nothing more (the handler answers it and closes). Written by hand rather than with
 * netty-codec-redis because redis-server's rules differ from that codec's in what clients see: a
 * bare {@code \n} ends an inline line, the two bytes after a bulk are skipped unchecked, the error
 * texts, and the tighter limits before AUTH.
 */
final class RequestDecoder extends ByteToMessageDecoder {

  /** redis-server's PROTO_INLINE_MAX_SIZE: the longest inline line or count line. */
  static final int MAX_INLINE = 64 * 1024;
  /** redis-server's proto-max-bulk-len default. */
  static final long MAX_BULK = 512L * 1024 * 1024;
  /** Before AUTH, when a password is set: at most 10 arguments of at most 16 KiB (redis-server's limits). */
  static final int UNAUTHENTICATED_ARGS = 10;
  static final int UNAUTHENTICATED_BULK = 16 * 1024;

  /** redis-server's client-query-buffer-limit default: what one command may hold while it is read. */
  static final long MAX_QUERY = 1024L * 1024 * 1024;

  /**
   * Input redis-server refuses: answered {@code -ERR Protocol error: <text>}, then the connection
   * closes; {@code silent} when it closes with no answer (the query buffer limit, as redis-server).
   */
  record Refused(String text, boolean silent) {
    Refused(String text) {
      this(text, false);
    }
  }

  private final Session session;
  private final boolean passwordSet;
  private boolean refused;
  /** A multibulk being read: the arguments still to come (0 when none), and those read. */
  private int remaining;
  private List<String> args;
  /** The bytes of the arguments read so far. */
  private long held;

  private final long maxQuery;

  RequestDecoder(Session session, boolean passwordSet) {
    this(session, passwordSet, MAX_QUERY);
  }

  RequestDecoder(Session session, boolean passwordSet, long maxQuery) {
    this.session = session;
    this.passwordSet = passwordSet;
    this.maxQuery = maxQuery;
  }

  private boolean authRequired() {
    return passwordSet && !session.authenticated;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (!refused && in.isReadable()) {
      Object next = args == null && in.getByte(in.readerIndex()) != '*' ? inline(in) : multibulk(in);
      if (next == null) {
        return; // more bytes needed
      }
      if (next instanceof Refused) {
        refused = true;
      }
      if (next != NOTHING) {
        out.add(next);
      }
      if (refused) {
        in.skipBytes(in.readableBytes());
      }
    }
    if (refused) {
      in.skipBytes(in.readableBytes());
    }
  }

  /** An input that yields no command (an empty line, {@code *0}). */
  private static final Object NOTHING = new Object();

  private Object inline(ByteBuf in) {
    int start = in.readerIndex();
    int newline = in.indexOf(start, in.writerIndex(), (byte) '\n');
    int nul = in.indexOf(start, newline < 0 ? in.writerIndex() : newline, (byte) 0);
    if (newline < 0 || nul >= 0) {
      // redis-server finds the end of a line with strchr, which stops at a NUL byte: the line never ends
      return in.readableBytes() > MAX_INLINE ? new Refused("too big inline request") : null;
    }
    int end = newline > start && in.getByte(newline - 1) == '\r' ? newline - 1 : newline;
    String line = in.toString(start, end - start, StandardCharsets.ISO_8859_1);
    in.readerIndex(newline + 1);
    List<String> argv = InlineArgs.split(line);
    if (argv == null) {
      return new Refused("unbalanced quotes in request");
    }
    return argv.isEmpty() ? NOTHING : argv;
  }

  private Object multibulk(ByteBuf in) {
    if (args == null) {
      int cr = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\r');
      if (cr < 0) {
        return in.readableBytes() > MAX_INLINE ? new Refused("too big mbulk count string") : null;
      }
      if (cr + 2 > in.writerIndex()) {
        return null;
      }
      Long count = parse(in, in.readerIndex() + 1, cr);
      if (count == null || count > Integer.MAX_VALUE) {
        return new Refused("invalid multibulk length");
      }
      if (count > UNAUTHENTICATED_ARGS && authRequired()) {
        return new Refused("unauthenticated multibulk length");
      }
      in.readerIndex(cr + 2);
      if (count <= 0) {
        return NOTHING;
      }
      remaining = count.intValue();
      args = new ArrayList<>(Math.min(remaining, 1024));
    }
    while (remaining > 0) {
      int start = in.readerIndex();
      if (!in.isReadable()) {
        return null;
      }
      int cr = in.indexOf(start, in.writerIndex(), (byte) '\r');
      if (cr < 0) {
        return in.readableBytes() > MAX_INLINE ? new Refused("too big bulk count string") : null;
      }
      if (cr + 2 > in.writerIndex()) {
        return null;
      }
      byte type = in.getByte(start);
      if (type != '$') {
        return new Refused("expected '$', got '" + (char) (type & 0xff) + "'");
      }
      Long length = parse(in, start + 1, cr);
      if (length == null || length < 0 || length > MAX_BULK) {
        return new Refused("invalid bulk length");
      }
      if (length > UNAUTHENTICATED_BULK && authRequired()) {
        return new Refused("unauthenticated bulk length");
      }
      long needed = (cr + 2L - start) + length + 2;
      if (held + needed > maxQuery) {
        return new Refused("query buffer limit (" + maxQuery + " bytes) reached", true);
      }
      if (in.readableBytes() < needed) {
        return null; // wait for the whole bulk (and the two bytes after it, which are not checked)
      }
      args.add(in.toString(cr + 2, length.intValue(), StandardCharsets.ISO_8859_1));
      in.readerIndex((int) (start + needed));
      held += length;
      remaining--;
    }
    List<String> argv = args;
    args = null;
    held = 0;
    return argv;
  }

  /** redis-server's string2ll: an optional minus, then "0" or digits without a leading zero; null when not. */
  static Long parse(ByteBuf in, int from, int to) {
    int len = to - from;
    if (len <= 0 || len > 20) {
      return null;
    }
    int i = from;
    boolean negative = in.getByte(i) == '-';
    if (negative) {
      i++;
      if (i == to) {
        return null;
      }
    }
    if (in.getByte(i) == '0') {
      return i + 1 == to && !negative ? 0L : null;
    }
    long v = 0;
    for (; i < to; i++) {
      int d = in.getByte(i) - '0';
      if (d < 0 || d > 9) {
        return null;
      }
      if (v > (Long.MAX_VALUE - d) / 10) {
        return null;
      }
      v = v * 10 + d;
    }
    return negative ? -v : v;
  }
}
