package dev.faultbox.examples.memcached;

import java.util.List;
import java.util.Set;

/**
 * One command as {@link CommandDecoder} framed it: the command word, its arguments (wire
 * strings), the data block of a storage command, or the reply the decoder already chose because
 * the command could not be framed.
 *
 * @param command the first word of the line, as sent; empty for an empty line
 * @param args the other words
 * @param data a storage command's data block, without its {@code \r\n}; null for other commands
 * @param refusal the error reply line when framing failed ({@code CLIENT_ERROR bad data chunk}); null otherwise
 * @param close whether the connection closes after the refusal (the stream cannot be resynchronised)
 */
record Request(String command, List<String> args, byte[] data, String refusal, boolean close) {

  /** Commands that take a trailing {@code noreply}. */
  private static final Set<String> NOREPLY = Set.of(
      "set", "add", "replace", "append", "prepend", "cas", "delete", "incr", "decr", "touch", "flush_all", "verbosity");

  Request {
    args = List.copyOf(args);
  }

  static Request of(List<String> words) {
    return words.isEmpty()
        ? new Request("", List.of(), null, null, false)
        : new Request(words.get(0), words.subList(1, words.size()), null, null, false);
  }

  Request withData(byte[] block) {
    return new Request(command, args, block, null, false);
  }

  Request refused(String reply, boolean closeAfter) {
    return new Request(command, args, data, reply, closeAfter);
  }

  /** Whether the client asked for no reply: the mock then sends none, errors included. */
  boolean noreply() {
    return NOREPLY.contains(command) && !args.isEmpty() && args.get(args.size() - 1).equals("noreply");
  }
}
