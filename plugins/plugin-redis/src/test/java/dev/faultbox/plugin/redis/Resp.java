package dev.faultbox.plugin.redis;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The test's own RESP2/RESP3 client side: encodes a command as a multibulk and reads exactly one
 * complete reply, returning its raw bytes (nested aggregates included), so two servers' answers
 * can be compared byte for byte. Reads go through the socket's timeout.
 */
final class Resp {
  private Resp() {}

  /** The largest reply the tests read (a 100 MB GET is never read back, STRLEN is). */
  static final int MAX_REPLY = 16 * 1024 * 1024;

  static byte[] command(List<String> argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, "*" + argv.size() + "\r\n");
    for (String arg : argv) {
      write(out, "$" + arg.length() + "\r\n");
      write(out, arg);
      write(out, "\r\n");
    }
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, String binary) {
    out.writeBytes(binary.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** One complete reply's bytes. */
  static byte[] read(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    readInto(in, out);
    return out.toByteArray();
  }

  private static void readInto(InputStream in, ByteArrayOutputStream out) throws IOException {
    String line = line(in, out);
    char type = line.charAt(0);
    switch (type) {
      case '+', '-', ':', '_', ',', '#', '(' -> { }
      case '$', '!', '=' -> {
        long len = Long.parseLong(line.substring(1));
        if (len >= 0) {
          if (len + 2 > MAX_REPLY) {
            throw new IOException("reply too long for the test: " + line);
          }
          out.writeBytes(in.readNBytes((int) len + 2));
        }
      }
      case '*', '~', '>' -> {
        long n = Long.parseLong(line.substring(1));
        for (long i = 0; i < n; i++) {
          readInto(in, out);
        }
      }
      case '%' -> {
        long n = Long.parseLong(line.substring(1));
        for (long i = 0; i < 2 * n; i++) {
          readInto(in, out);
        }
      }
      case '|' -> { // attributes, then the reply they annotate
        long n = Long.parseLong(line.substring(1));
        for (long i = 0; i < 2 * n; i++) {
          readInto(in, out);
        }
        readInto(in, out);
      }
      default -> throw new IOException("not a RESP reply: " + escape(line.getBytes(StandardCharsets.ISO_8859_1)));
    }
  }

  /** Reads one line up to CRLF (written to {@code out} with it) and returns it without the CRLF. */
  private static String line(InputStream in, ByteArrayOutputStream out) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed" + (sb.isEmpty() ? "" : " after " + sb));
      }
      out.write(b);
      if (b == '\n' && sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r') {
        sb.setLength(sb.length() - 1);
        if (sb.isEmpty()) {
          throw new IOException("empty reply line");
        }
        return sb.toString();
      }
      sb.append((char) b);
      if (sb.length() > MAX_REPLY) {
        throw new IOException("reply line too long");
      }
    }
  }

  /** The type byte and, for an aggregate, its count line ("*3"), "" for nothing. */
  static String header(byte[] reply) {
    if (reply.length == 0) {
      return "";
    }
    int end = 0;
    while (end < reply.length && reply[end] != '\r') {
      end++;
    }
    return new String(reply, 0, end, StandardCharsets.ISO_8859_1);
  }

  /** The bytes as a readable Java-like string: CRLF as \r\n, other controls and non-ASCII as \xHH. */
  static String escape(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte x : bytes) {
      int b = x & 0xff;
      switch (b) {
        case '\r' -> sb.append("\\r");
        case '\n' -> sb.append("\\n");
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        default -> {
          if (b < 0x20 || b >= 0x7f) {
            sb.append(String.format("\\x%02x", b));
          } else {
            sb.append((char) b);
          }
        }
      }
      if (sb.length() > 2000) {
        return sb + "...(" + bytes.length + " bytes)";
      }
    }
    return sb.toString();
  }
}
