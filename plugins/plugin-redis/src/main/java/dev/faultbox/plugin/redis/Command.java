package dev.faultbox.plugin.redis;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * One command as a connection read it: its arguments (the name first) as binary strings, the
 * session it runs in, and what fault rules and events see: the name in upper case and the first key.
 */
record Command(List<String> argv, Session session, String op, String key) {

  static Command of(List<String> argv, Session session) {
    String name = argv.get(0);
    String op = text(name).toUpperCase(Locale.ROOT);
    Commands.Spec spec = Commands.spec(name);
    String key = null;
    if (spec != null && spec.firstKey() > 0 && spec.firstKey() < argv.size()) {
      key = text(argv.get(spec.firstKey()));
    }
    return new Command(java.util.Collections.unmodifiableList(argv), session, op, key);
  }

  /** A binary string as UTF-8 text, for events and fault rules. */
  static String text(String binary) {
    if (ascii(binary)) {
      return binary; // the common case: the same text, no copies
    }
    return new String(binary.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  /** UTF-8 text as a binary string. */
  static String binary(String text) {
    if (ascii(text)) {
      return text;
    }
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  private static boolean ascii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
