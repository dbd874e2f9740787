package dev.faultbox.examples.memcached;

import java.nio.charset.StandardCharsets;

/**
 * Memcached keys are bytes. The mock keeps them as ISO-8859-1 strings, one char per byte, so what
 * a client sent is what {@code VALUE} echoes; events and fault rules see them as UTF-8 text.
 */
final class Keys {

  /** The longest key memcached accepts, in bytes. */
  static final int MAX_BYTES = 250;

  private Keys() {}

  /** The wire form of a key written as text (a spec's {@code state}). */
  static String wire(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  /** A wire key as text, for events and fault rules. */
  static String text(String wire) {
    return new String(wire.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  /** Why a wire key is not one memcached takes, or null when it is fine. */
  static String problem(String wire) {
    if (wire.isEmpty()) {
      return "a key is empty";
    }
    if (wire.length() > MAX_BYTES) {
      return "a key is longer than " + MAX_BYTES + " bytes";
    }
    for (int i = 0; i < wire.length(); i++) {
      char c = wire.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        return "a key has a space or control character";
      }
    }
    return null;
  }
}
