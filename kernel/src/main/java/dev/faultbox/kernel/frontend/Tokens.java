package dev.faultbox.kernel.frontend;

/**
 * A lenient tokenizer for Starlark source, just precise enough to find the extent of each
 * {@code lambda}: names, numbers, strings (every quoting, prefix, triple-quoted and raw), single
 * punctuation characters plus {@code **}, logical newlines (only outside brackets and not after
 * a backslash continuation), and EOF. Comments are skipped. It never fails: malformed input is
 * left for the real parser to report.
 */
final class Tokens {
  static final byte NAME = 1;
  static final byte NUMBER = 2;
  static final byte STRING = 3;
  static final byte OP = 4;
  static final byte NEWLINE = 5;
  static final byte EOF = 6;

  final String src;
  int n;
  byte[] kind;
  int[] start;
  int[] end;

  private Tokens(String src) {
    this.src = src;
    int cap = Math.max(16, src.length() / 3);
    kind = new byte[cap];
    start = new int[cap];
    end = new int[cap];
  }

  char ch(int i) {
    return src.charAt(start[i]);
  }

  boolean isOp(int i, char c) {
    return kind[i] == OP && end[i] - start[i] == 1 && src.charAt(start[i]) == c;
  }

  boolean isName(int i, String name) {
    return kind[i] == NAME && src.startsWith(name, start[i]) && end[i] - start[i] == name.length();
  }

  boolean isOpen(int i) {
    if (kind[i] != OP) {
      return false;
    }
    char c = ch(i);
    return c == '(' || c == '[' || c == '{';
  }

  boolean isClose(int i) {
    if (kind[i] != OP) {
      return false;
    }
    char c = ch(i);
    return c == ')' || c == ']' || c == '}';
  }

  String text(int i) {
    return kind[i] == EOF ? "<end of file>" : kind[i] == NEWLINE ? "newline" : src.substring(start[i], end[i]);
  }

  private void add(byte k, int s, int e) {
    if (n == kind.length) {
      int m = n * 2;
      kind = java.util.Arrays.copyOf(kind, m);
      start = java.util.Arrays.copyOf(start, m);
      end = java.util.Arrays.copyOf(end, m);
    }
    kind[n] = k;
    start[n] = s;
    end[n] = e;
    n++;
  }

  static Tokens scan(String s) {
    Tokens t = new Tokens(s);
    int len = s.length();
    int i = 0;
    int depth = 0;
    while (i < len) {
      char c = s.charAt(i);
      if (c == '\n') {
        if (depth == 0 && t.n > 0 && t.kind[t.n - 1] != NEWLINE) {
          t.add(NEWLINE, i, i + 1);
        }
        i++;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
        i++;
      } else if (c == '#') {
        while (i < len && s.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '\\') {
        // line continuation (or a stray backslash, which the parser will report)
        i++;
        if (i < len && s.charAt(i) == '\r') {
          i++;
        }
        if (i < len && s.charAt(i) == '\n') {
          i++;
        }
      } else if (c == '"' || c == '\'') {
        int e = stringEnd(s, i);
        t.add(STRING, i, e);
        i = e;
      } else if (Character.isLetter(c) || c == '_') {
        int e = i + 1;
        while (e < len && (Character.isLetterOrDigit(s.charAt(e)) || s.charAt(e) == '_')) {
          e++;
        }
        if (e < len && e - i <= 2 && (s.charAt(e) == '"' || s.charAt(e) == '\'') && isPrefix(s, i, e)) {
          int se = stringEnd(s, e);
          t.add(STRING, i, se);
          i = se;
        } else {
          t.add(NAME, i, e);
          i = e;
        }
      } else if (Character.isDigit(c) || (c == '.' && i + 1 < len && Character.isDigit(s.charAt(i + 1)))) {
        int e = i + 1;
        while (e < len) {
          char d = s.charAt(e);
          if (Character.isLetterOrDigit(d) || d == '.' || d == '_') {
            e++;
          } else if ((d == '+' || d == '-') && (s.charAt(e - 1) == 'e' || s.charAt(e - 1) == 'E')
              && !s.startsWith("0x", i) && !s.startsWith("0X", i)) {
            e++;
          } else {
            break;
          }
        }
        t.add(NUMBER, i, e);
        i = e;
      } else {
        if (c == '(' || c == '[' || c == '{') {
          depth++;
        } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
          depth--;
        }
        if (c == '*' && i + 1 < len && s.charAt(i + 1) == '*') {
          t.add(OP, i, i + 2);
          i += 2;
        } else {
          t.add(OP, i, i + 1);
          i++;
        }
      }
    }
    if (t.n > 0 && t.kind[t.n - 1] != NEWLINE) {
      t.add(NEWLINE, len, len);
    }
    t.add(EOF, len, len);
    return t;
  }

  private static boolean isPrefix(String s, int a, int b) {
    for (int i = a; i < b; i++) {
      if ("rRbBuUfF".indexOf(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /** End offset of the string literal whose opening quote is at {@code q}. */
  private static int stringEnd(String s, int q) {
    int len = s.length();
    char quote = s.charAt(q);
    boolean triple = q + 2 < len && s.charAt(q + 1) == quote && s.charAt(q + 2) == quote;
    int i = q + (triple ? 3 : 1);
    while (i < len) {
      char c = s.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == quote) {
        if (!triple) {
          return i + 1;
        }
        if (i + 2 < len && s.charAt(i + 1) == quote && s.charAt(i + 2) == quote) {
          return i + 3;
        }
        i++;
      } else if (c == '\n' && !triple) {
        return i; // unterminated; the parser reports it
      } else {
        i++;
      }
    }
    return Math.min(i, len);
  }
}
