package dev.faultbox.plugin.http;

import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.Route;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * HTTP routes compiled once: {@code "METHOD PATH"} keys parsed into segment matchers and sorted
 * most specific first, so a request takes the first route that matches.
 *
 * <p>Paths are compared segment by segment; empty segments (leading, trailing or doubled
 * {@code /}) do not count. A pattern segment is a literal, a partial glob with one {@code *}
 * ({@code user-*}), {@code *} or {@code {name}} (exactly one segment), or {@code **} (zero or more
 * segments). Precedence compares two patterns position by position: literal beats partial glob
 * beats {@code *} beats the end of the pattern beats {@code **}; then a literal method beats
 * {@code *}; then declaration order. A {@code HEAD} request also takes a {@code GET} route, unless
 * an equally specific {@code HEAD} route matches.
 */
final class RouteTable {

  /** The route chosen for a request; {@code key} is null for the default response. */
  record Match(String key, MockResponse response) {}

  /** Ranks, in precedence order; {@code END} is where a pattern has no more segments. */
  private static final int LITERAL = 0;
  private static final int PARTIAL = 1;
  private static final int SINGLE = 2;
  private static final int END = 3;
  private static final int DOUBLE = 4;

  private static final Comparator<Compiled> PRECEDENCE =
      (a, b) -> {
        int n = Math.max(a.segments.length, b.segments.length);
        for (int i = 0; i < n; i++) {
          int c = Integer.compare(a.rank(i), b.rank(i));
          if (c != 0) {
            return c;
          }
        }
        int c = Boolean.compare(a.method == null, b.method == null);
        return c != 0 ? c : Integer.compare(a.order, b.order);
      };

  private final Compiled[] routes;
  private final MockResponse defaultResponse;

  private RouteTable(Compiled[] routes, MockResponse defaultResponse) {
    this.routes = routes;
    this.defaultResponse = defaultResponse;
  }

  /**
   * @param defaultResponse the answer when no route matches, or null
   * @throws InvalidMockException for the first key that does not parse
   */
  static RouteTable compile(List<Route> routes, MockResponse defaultResponse)
      throws InvalidMockException {
    List<Compiled> compiled = new ArrayList<>(routes.size());
    for (int i = 0; i < routes.size(); i++) {
      Route route = routes.get(i);
      compiled.add(parse(route.pattern(), i, route.response()));
    }
    compiled.sort(PRECEDENCE);
    // Routes whose segments rank alike share a group, so HEAD can prefer a HEAD route among them.
    int group = 0;
    for (int i = 0; i < compiled.size(); i++) {
      if (i > 0 && !Arrays.equals(compiled.get(i - 1).ranks, compiled.get(i).ranks)) {
        group++;
      }
      compiled.get(i).group = group;
    }
    return new RouteTable(compiled.toArray(Compiled[]::new), defaultResponse);
  }

  /** The route keys in match order, for tests and logs. */
  List<String> keys() {
    return Arrays.stream(routes).map(r -> r.key).toList();
  }

  /**
   * The most specific route for {@code method} and the decoded {@code path} (no query), else the
   * default response, else null.
   */
  Match match(String method, String path) {
    String upper = upperAscii(method);
    boolean head = upper.equals("HEAD");
    int[] bounds = split(path);
    Compiled fallback = null;
    for (Compiled route : routes) {
      if (fallback != null && (route.group != fallback.group || route.method == null)) {
        break;
      }
      boolean methodMatches = route.method == null || route.method.equals(upper);
      boolean getForHead = head && !methodMatches && "GET".equals(route.method);
      if ((methodMatches || getForHead) && route.matches(path, bounds)) {
        if (methodMatches && (fallback == null || route.method != null)) {
          return new Match(route.key, route.response);
        }
        if (fallback == null) {
          fallback = route;
        }
      }
    }
    if (fallback != null) {
      return new Match(fallback.key, fallback.response);
    }
    return defaultResponse == null ? null : new Match(null, defaultResponse);
  }

  /** Start and end offsets of the non-empty segments of {@code path}, two ints per segment. */
  static int[] split(String path) {
    int count = 0;
    int length = path.length();
    for (int i = 0; i < length; i++) {
      if (path.charAt(i) != '/' && (i == 0 || path.charAt(i - 1) == '/')) {
        count++;
      }
    }
    int[] bounds = new int[count * 2];
    int k = 0;
    int start = -1;
    for (int i = 0; i <= length; i++) {
      boolean slash = i == length || path.charAt(i) == '/';
      if (slash) {
        if (start >= 0) {
          bounds[k++] = start;
          bounds[k++] = i;
          start = -1;
        }
      } else if (start < 0) {
        start = i;
      }
    }
    return bounds;
  }

  private static String upperAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'a' && c <= 'z') {
        return s.toUpperCase(Locale.ROOT);
      }
    }
    return s;
  }

  // ---- parsing ---------------------------------------------------------------------------

  static Compiled parse(String key, int order, MockResponse response) throws InvalidMockException {
    if (key == null) {
      throw new InvalidMockException("an http route has no key; write \"GET /path\"");
    }
    String trimmed = key.strip();
    int space = indexOfSpace(trimmed);
    if (space < 0) {
      if (trimmed.startsWith("/")) {
        throw new InvalidMockException(
            "route \"" + key + "\" needs a method: write \"GET " + trimmed + "\" or \"* " + trimmed + "\"");
      }
      throw new InvalidMockException(
          "route \"" + key + "\" needs a path: write \"" + (trimmed.isEmpty() ? "GET" : trimmed) + " /path\"");
    }
    String method = trimmed.substring(0, space);
    int pathStart = space;
    while (pathStart < trimmed.length() && isSpace(trimmed.charAt(pathStart))) {
      pathStart++;
    }
    String path = trimmed.substring(pathStart);
    if (!method.equals("*") && !isToken(method)) {
      throw new InvalidMockException(
          "route \"" + key + "\": \"" + method + "\" is not an HTTP method");
    }
    if (!path.startsWith("/")) {
      throw new InvalidMockException("route \"" + key + "\": the path must start with \"/\"");
    }
    int[] bounds = split(path);
    Segment[] segments = new Segment[bounds.length / 2];
    for (int i = 0; i < segments.length; i++) {
      segments[i] = Segment.parse(key, path.substring(bounds[2 * i], bounds[2 * i + 1]));
    }
    String normalMethod = method.equals("*") ? null : method.toUpperCase(Locale.ROOT);
    return new Compiled(key, normalMethod, segments, order, response);
  }

  private static int indexOfSpace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (isSpace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }

  /** An RFC 9110 token: what a method name may be made of. */
  static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** One pattern segment. */
  static final class Segment {
    final int kind;
    final String prefix;
    final String suffix;

    private Segment(int kind, String prefix, String suffix) {
      this.kind = kind;
      this.prefix = prefix;
      this.suffix = suffix;
    }

    static Segment parse(String key, String text) throws InvalidMockException {
      if (text.equals("**")) {
        return new Segment(DOUBLE, "", "");
      }
      if (text.equals("*") || (text.length() >= 2 && text.startsWith("{") && text.endsWith("}"))) {
        return new Segment(SINGLE, "", "");
      }
      if (text.contains("**")) {
        throw new InvalidMockException(
            "route \"" + key + "\": \"" + text + "\" mixes \"**\" into a segment; \"**\" must be a whole segment");
      }
      int star = text.indexOf('*');
      if (star < 0) {
        return new Segment(LITERAL, text, "");
      }
      if (text.indexOf('*', star + 1) >= 0) {
        throw new InvalidMockException(
            "route \"" + key + "\": \"" + text + "\" has more than one \"*\"; a segment may hold one");
      }
      return new Segment(PARTIAL, text.substring(0, star), text.substring(star + 1));
    }

    /** Whether request segment {@code path[start, end)} matches; never for {@code **}. */
    boolean matches(String path, int start, int end) {
      int length = end - start;
      switch (kind) {
        case LITERAL:
          return length == prefix.length() && path.regionMatches(start, prefix, 0, length);
        case PARTIAL:
          return length >= prefix.length() + suffix.length()
              && path.regionMatches(start, prefix, 0, prefix.length())
              && path.regionMatches(end - suffix.length(), suffix, 0, suffix.length());
        case SINGLE:
          return true;
        default:
          return false;
      }
    }
  }

  /** A parsed route. */
  static final class Compiled {
    final String key;
    /** Upper case; null for any method. */
    final String method;
    final Segment[] segments;
    final int[] ranks;
    final int order;
    final MockResponse response;
    int group;

    Compiled(String key, String method, Segment[] segments, int order, MockResponse response) {
      this.key = key;
      this.method = method;
      this.segments = segments;
      this.order = order;
      this.response = response;
      this.ranks = new int[segments.length];
      for (int i = 0; i < segments.length; i++) {
        ranks[i] = segments[i].kind;
      }
    }

    int rank(int i) {
      return i < ranks.length ? ranks[i] : END;
    }

    /**
     * Glob matching over segments: {@code **} takes any run of segments, backtracking to the last
     * {@code **} seen on a mismatch; linear for patterns without {@code **}.
     */
    boolean matches(String path, int[] bounds) {
      int n = bounds.length / 2;
      int m = segments.length;
      int p = 0;
      int s = 0;
      int starP = -1;
      int starS = 0;
      while (s < n) {
        if (p < m && segments[p].kind == DOUBLE) {
          starP = p++;
          starS = s;
        } else if (p < m && segments[p].matches(path, bounds[2 * s], bounds[2 * s + 1])) {
          p++;
          s++;
        } else if (starP >= 0) {
          p = starP + 1;
          s = ++starS;
        } else {
          return false;
        }
      }
      while (p < m && segments[p].kind == DOUBLE) {
        p++;
      }
      return p == m;
    }
  }
}
