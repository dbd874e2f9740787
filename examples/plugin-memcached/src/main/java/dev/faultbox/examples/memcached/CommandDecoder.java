package dev.faultbox.examples.memcached;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Frames the text protocol into {@link Request}s: a line ending in {@code \n} (a {@code \r}
 * before it is dropped), plus, for a storage command, its data block of the announced length and
 * {@code \r\n}. Only the framing is checked here; {@link Commands} checks the rest.
 */
final class CommandDecoder extends ByteToMessageDecoder {

  /** The longest command line: room for a {@code get} of a few hundred full-length keys. */
  static final int MAX_LINE_BYTES = 64 * 1024;
  /** memcached's default item size limit. */
  static final int MAX_ITEM_BYTES = 1024 * 1024;

  static final Set<String> STORAGE = Set.of("set", "add", "replace", "append", "prepend", "cas");

  /** A storage command waiting for its data block, and the block's length. */
  private Request pending;
  private int pendingLength;
  /** Bytes of a refused data block still to skip, so the next command frames right. */
  private long swallow;
  /** Bytes of the current line already searched for {@code \n}, so none is searched twice. */
  private int scanned;
  /** Set once the stream cannot be framed any more: the rest is discarded. */
  private boolean broken;

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (in.isReadable()) {
      if (broken) {
        in.skipBytes(in.readableBytes());
      } else if (swallow > 0) {
        int n = (int) Math.min(swallow, in.readableBytes());
        in.skipBytes(n);
        swallow -= n;
      } else if (pending != null) {
        if (in.readableBytes() < pendingLength + 2) {
          return;
        }
        byte[] block = new byte[pendingLength];
        in.readBytes(block);
        boolean terminated = in.readByte() == '\r' & in.readByte() == '\n';
        out.add(terminated ? pending.withData(block) : pending.refused("CLIENT_ERROR bad data chunk", false));
        pending = null;
      } else if (!line(in, out)) {
        return;
      }
    }
  }

  /** Reads one command line if a whole one is there; false when more bytes are needed. */
  private boolean line(ByteBuf in, List<Object> out) {
    int start = in.readerIndex();
    int window = Math.min(in.readableBytes(), MAX_LINE_BYTES + 1);
    int newline = in.indexOf(start + scanned, start + window, (byte) '\n');
    if (newline < 0) {
      scanned = window;
      if (in.readableBytes() > MAX_LINE_BYTES) {
        String head = in.toString(start, Math.min(64, in.readableBytes()), StandardCharsets.ISO_8859_1);
        out.add(Request.of(words(head)).refused("CLIENT_ERROR line too long", true));
        broken = true;
      }
      return broken;
    }
    scanned = 0;
    int end = newline > start && in.getByte(newline - 1) == '\r' ? newline - 1 : newline;
    String text = in.toString(start, end - start, StandardCharsets.ISO_8859_1);
    in.readerIndex(newline + 1);
    Request request = Request.of(words(text));
    if (!STORAGE.contains(request.command())) {
      out.add(request);
      return true;
    }
    // <cmd> <key> <flags> <exptime> <bytes> [<cas unique>] [noreply]
    int fixed = request.command().equals("cas") ? 5 : 4;
    int given = request.args().size();
    long length = given == fixed || given == fixed + 1 ? parseLength(request.args().get(3)) : -1;
    if (length < 0) {
      out.add(request.refused("CLIENT_ERROR bad command line format", false));
    } else if (length > MAX_ITEM_BYTES) {
      out.add(request.refused("SERVER_ERROR object too large for cache", false));
      swallow = length + 2;
    } else {
      pending = request;
      pendingLength = (int) length;
    }
    return true;
  }

  private static long parseLength(String text) {
    try {
      return text.chars().allMatch(Character::isDigit) ? Long.parseLong(text) : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The line's words: memcached separates them by spaces, any number of them. */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    for (String w : line.split(" ")) {
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    return words;
  }
}
