package dev.faultbox.kernel.event;

/**
 * Glob matching for event filters and fault matchers: {@code *} matches any run of characters
 * except {@code /}, {@code **} any run including {@code /}, {@code ?} one character other than
 * {@code /}. A pattern without wildcards is an exact match. Compiled once per pattern; matching
 * allocates nothing.
 */
public final class Glob {
  private final String pattern;
  private final boolean literal;

  private Glob(String pattern) {
    this.pattern = pattern;
    this.literal = pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0;
  }

  public static Glob compile(String pattern) {
    return new Glob(pattern);
  }

  public boolean matches(String text) {
    if (text == null) {
      return false;
    }
    return literal ? pattern.equals(text) : match(0, text, 0);
  }

  // Backtracking over at most one star position per level: patterns here are short.
  private boolean match(int p, String s, int i) {
    while (p < pattern.length()) {
      char c = pattern.charAt(p);
      if (c == '*') {
        boolean doubleStar = p + 1 < pattern.length() && pattern.charAt(p + 1) == '*';
        int rest = doubleStar ? p + 2 : p + 1;
        if (rest == pattern.length()) {
          return doubleStar || s.indexOf('/', i) < 0;
        }
        for (int j = i; j <= s.length(); j++) {
          if (match(rest, s, j)) {
            return true;
          }
          if (j < s.length() && !doubleStar && s.charAt(j) == '/') {
            return false;
          }
        }
        return false;
      }
      if (i >= s.length()) {
        return false;
      }
      char t = s.charAt(i);
      if (c == '?' ? t == '/' : c != t) {
        return false;
      }
      p++;
      i++;
    }
    return i == s.length();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
