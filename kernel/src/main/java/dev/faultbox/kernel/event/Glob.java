package dev.faultbox.kernel.event;

/**
 * Glob matching for event filters and {@code --test}: {@code *} (or {@code **}) matches any run
 * of characters, {@code /} included, so {@code op = "GET /.well-known/*"} and
 * {@code error = "*"} mean what they say; {@code ?} matches one character. A pattern without
 * wildcards is an exact match. Matching allocates nothing.
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

  // Iterative matching with one backtrack point: linear for the short patterns used here.
  private boolean match(int p0, String s, int i0) {
    int p = p0;
    int i = i0;
    int starP = -1;
    int starI = -1;
    while (i < s.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        while (p < pattern.length() && pattern.charAt(p) == '*') {
          p++;
        }
        starP = p;
        starI = i;
      } else if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == s.charAt(i))) {
        p++;
        i++;
      } else if (starP >= 0) {
        p = starP;
        i = ++starI;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
