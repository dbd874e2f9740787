package dev.faultbox.plugin.redis;

import java.util.ArrayList;
import java.util.List;

/**
 * redis-server's {@code sdssplitargs}: an inline command line split on spaces, with
 * {@code "..."} (escapes {@code \n \r \t \b \a \\ \" \xHH}) and {@code '...'} (only {@code \'}).
 */
final class InlineArgs {
  private InlineArgs() {}

  /** The arguments, or null for unbalanced quotes (or a closing quote not followed by a space). */
  static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = line.length();
    while (true) {
      while (i < n && Character.isWhitespace(line.charAt(i))) {
        i++;
      }
      if (i >= n) {
        return out;
      }
      StringBuilder cur = new StringBuilder();
      boolean inDq = false;
      boolean inSq = false;
      boolean done = false;
      while (!done) {
        if (inDq) {
          if (i >= n) {
            return null;
          }
          char c = line.charAt(i);
          if (c == '\\' && i + 3 < n && line.charAt(i + 1) == 'x' && hex(line.charAt(i + 2)) >= 0 && hex(line.charAt(i + 3)) >= 0) {
            cur.append((char) (hex(line.charAt(i + 2)) * 16 + hex(line.charAt(i + 3))));
            i += 3;
          } else if (c == '\\' && i + 1 < n) {
            i++;
            char e = line.charAt(i);
            cur.append(switch (e) {
              case 'n' -> '\n';
              case 'r' -> '\r';
              case 't' -> '\t';
              case 'b' -> '\b';
              case 'a' -> (char) 7;
              default -> e;
            });
          } else if (c == '"') {
            if (i + 1 < n && !Character.isWhitespace(line.charAt(i + 1))) {
              return null;
            }
            done = true;
          } else {
            cur.append(c);
          }
        } else if (inSq) {
          if (i >= n) {
            return null;
          }
          char c = line.charAt(i);
          if (c == '\\' && i + 1 < n && line.charAt(i + 1) == '\'') {
            i++;
            cur.append('\'');
          } else if (c == '\'') {
            if (i + 1 < n && !Character.isWhitespace(line.charAt(i + 1))) {
              return null;
            }
            done = true;
          } else {
            cur.append(c);
          }
        } else {
          if (i >= n) {
            break;
          }
          char c = line.charAt(i);
          if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0) {
            done = true;
          } else if (c == '"') {
            inDq = true;
          } else if (c == '\'') {
            inSq = true;
          } else {
            cur.append(c);
          }
        }
        if (i < n) {
          i++;
        }
      }
      out.add(cur.toString());
    }
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
