package dev.faultbox.plugin.redis;

/** redis-server's {@code stringmatchlen}: {@code *}, {@code ?}, {@code [abc]}, {@code [^a-z]}, {@code \} escapes. */
final class Glob {
  private Glob() {}

  static boolean matches(String pattern, String s) {
    return match(pattern, 0, s, 0, 0);
  }

  private static boolean match(String p, int pi, String s, int si, int depth) {
    if (depth > 1000) {
      return false; // redis-server caps nesting likewise, against pathological patterns
    }
    while (pi < p.length()) {
      char c = p.charAt(pi);
      switch (c) {
        case '*' -> {
          while (pi + 1 < p.length() && p.charAt(pi + 1) == '*') {
            pi++;
          }
          if (pi + 1 == p.length()) {
            return true;
          }
          for (int k = si; k <= s.length(); k++) {
            if (match(p, pi + 1, s, k, depth + 1)) {
              return true;
            }
          }
          return false;
        }
        case '?' -> {
          if (si >= s.length()) {
            return false;
          }
          si++;
        }
        case '[' -> {
          if (si >= s.length()) {
            return false;
          }
          pi++;
          boolean not = pi < p.length() && p.charAt(pi) == '^';
          if (not) {
            pi++;
          }
          boolean hit = false;
          char sc = s.charAt(si);
          while (pi < p.length() && p.charAt(pi) != ']') {
            if (p.charAt(pi) == '\\' && pi + 1 < p.length()) {
              pi++;
              hit |= p.charAt(pi) == sc;
            } else if (pi + 2 < p.length() && p.charAt(pi + 1) == '-' && p.charAt(pi + 2) != ']') {
              char lo = p.charAt(pi);
              char hi = p.charAt(pi + 2);
              if (lo > hi) {
                char t = lo;
                lo = hi;
                hi = t;
              }
              hit |= sc >= lo && sc <= hi;
              pi += 2;
            } else {
              hit |= p.charAt(pi) == sc;
            }
            pi++;
          }
          if (pi >= p.length()) {
            pi--; // unterminated: like redis-server, the last char closes it
          }
          if (hit == not) {
            return false;
          }
          si++;
        }
        case '\\' -> {
          if (pi + 1 < p.length()) {
            pi++;
          }
          if (si >= s.length() || p.charAt(pi) != s.charAt(si)) {
            return false;
          }
          si++;
        }
        default -> {
          if (si >= s.length() || c != s.charAt(si)) {
            return false;
          }
          si++;
        }
      }
      pi++;
    }
    return si == s.length();
  }
}
