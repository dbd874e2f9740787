package dev.faultbox.plugin.grpc;

import io.grpc.Metadata;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The byte formats gRPC-Web and Connect streaming share: length-prefixed envelopes (a flags byte,
 * a 4-byte big-endian length, the message), gRPC-Web's trailer frame (flag 0x80, HTTP/1-style
 * {@code name:value\r\n} lines) and the {@code -text} forms' base64.
 */
final class GrpcWebCodec {

  /** gRPC-Web: the frame carries trailers, not a message. */
  static final int TRAILERS = 0x80;
  /** Connect streaming: the frame is the end-stream message. */
  static final int END_STREAM = 0x02;
  static final int COMPRESSED = 0x01;

  private GrpcWebCodec() {}

  /** One envelope: its flags and its payload. */
  record Frame(int flags, byte[] data) {}

  /** Why a body is not a run of envelopes. */
  static final class MalformedException extends Exception {
    MalformedException(String message) {
      super(message);
    }
  }

  /**
   * The envelopes of a request body.
   *
   * @param maxMessage the largest payload taken; a larger declared length is refused before its bytes are read
   */
  static List<Frame> frames(byte[] body, int maxMessage) throws MalformedException, TooLargeException {
    List<Frame> frames = new ArrayList<>();
    int at = 0;
    while (at < body.length) {
      if (body.length - at < 5) {
        throw new MalformedException("truncated envelope: " + (body.length - at) + " bytes left where a 5-byte prefix was due");
      }
      int flags = body[at] & 0xff;
      long length = ((body[at + 1] & 0xffL) << 24) | ((body[at + 2] & 0xff) << 16) | ((body[at + 3] & 0xff) << 8)
          | (body[at + 4] & 0xff);
      if (length > maxMessage) {
        throw new TooLargeException(maxMessage, length);
      }
      if (body.length - at - 5 < length) {
        throw new MalformedException("truncated envelope: it declares " + length + " bytes, " + (body.length - at - 5)
            + " follow");
      }
      byte[] data = new byte[(int) length];
      System.arraycopy(body, at + 5, data, 0, (int) length);
      frames.add(new Frame(flags, data));
      at += 5 + (int) length;
    }
    return frames;
  }

  /** A message over the mock's limit, in grpc-java's words (which the events parse for the size). */
  static final class TooLargeException extends Exception {
    final long size;

    TooLargeException(int max, long size) {
      super("gRPC message exceeds maximum size " + max + ": " + size);
      this.size = size;
    }
  }

  static byte[] frame(int flags, byte[] data) {
    byte[] out = new byte[5 + data.length];
    out[0] = (byte) flags;
    out[1] = (byte) (data.length >>> 24);
    out[2] = (byte) (data.length >>> 16);
    out[3] = (byte) (data.length >>> 8);
    out[4] = (byte) data.length;
    System.arraycopy(data, 0, out, 5, data.length);
    return out;
  }

  /** gRPC-Web's trailer frame: the status, its message and the trailers, as header lines. */
  static byte[] trailerFrame(int code, String message, Metadata trailers) {
    StringBuilder lines = new StringBuilder();
    lines.append("grpc-status:").append(code).append("\r\n");
    if (message != null && !message.isEmpty()) {
      lines.append("grpc-message:").append(percentEncode(message)).append("\r\n");
    }
    for (Map.Entry<String, String> entry : WebCalls.headers(trailers)) {
      lines.append(entry.getKey()).append(':').append(entry.getValue()).append("\r\n");
    }
    return frame(TRAILERS, lines.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /** grpc-message's encoding (the gRPC HTTP/2 spec): UTF-8, with '%' and bytes outside 0x20..0x7e as %XX. */
  static String percentEncode(String message) {
    StringBuilder out = new StringBuilder();
    for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c <= 0x7e && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /**
   * A {@code -text} body: base64, possibly several padded runs one after the other (a client may
   * encode each frame on its own), so it is decoded four characters at a time.
   */
  static byte[] unbase64(byte[] text) throws MalformedException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length * 3 / 4 + 3);
    byte[] quad = new byte[4];
    int filled = 0;
    Base64.Decoder decoder = Base64.getDecoder();
    for (byte b : text) {
      if (b == '\r' || b == '\n' || b == ' ' || b == '\t') {
        continue;
      }
      quad[filled++] = b;
      if (filled == 4) {
        try {
          out.writeBytes(decoder.decode(quad));
        } catch (IllegalArgumentException e) {
          throw new MalformedException("the grpc-web-text body is not base64");
        }
        filled = 0;
      }
    }
    if (filled != 0) {
      try {
        out.writeBytes(decoder.decode(new String(quad, 0, filled, StandardCharsets.US_ASCII)));
      } catch (IllegalArgumentException e) {
        throw new MalformedException("the grpc-web-text body is not base64");
      }
    }
    return out.toByteArray();
  }
}
