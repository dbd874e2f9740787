package dev.faultbox.plugin.grpc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Routes by full method: {@code /pkg.Svc/Method} first, then {@code /pkg.Svc/*}, then {@code /**},
 * then the default; declaration order among equals. Immutable once built.
 */
final class RouteTable {

  static final Pattern KEY = Pattern.compile(
      "/([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*)/([A-Za-z_][A-Za-z0-9_]*|\\*)");
  static final String ALL = "/**";

  enum Kind { EXACT, SERVICE, ALL, DEFAULT }

  /**
   * One compiled route.
   *
   * @param key the route key as written, {@code default} for the default
   * @param perMethod replies per full method, where they differ by method (typed messages)
   * @param common the reply for every other method
   */
  record Compiled(String key, Kind kind, Map<String, PreparedReply> perMethod, PreparedReply common) {
    PreparedReply replyFor(String fullMethod) {
      PreparedReply reply = perMethod.get(fullMethod);
      return reply != null ? reply : common;
    }
  }

  /** A matched route and its reply for the called method. */
  record Match(Compiled route, PreparedReply reply) {}

  /** A parsed route key. */
  record Key(Kind kind, String service, String method) {}

  private final Map<String, Compiled> exact = new HashMap<>();
  private final Map<String, Compiled> services = new HashMap<>();
  private final List<Compiled> all = new ArrayList<>();
  private Compiled fallback;

  /** Parses a route key; null when it is not one of the accepted forms. */
  static Key parse(String pattern) {
    if (ALL.equals(pattern)) {
      return new Key(Kind.ALL, "", "");
    }
    Matcher m = KEY.matcher(pattern);
    if (!m.matches()) {
      return null;
    }
    return "*".equals(m.group(2))
        ? new Key(Kind.SERVICE, m.group(1), "")
        : new Key(Kind.EXACT, m.group(1), m.group(2));
  }

  void add(Key key, Compiled route) {
    switch (key.kind()) {
      case EXACT -> exact.putIfAbsent("/" + key.service() + "/" + key.method(), route);
      case SERVICE -> services.putIfAbsent(key.service(), route);
      case ALL -> all.add(route);
      case DEFAULT -> {
        if (fallback == null) {
          fallback = route;
        }
      }
    }
  }

  /** The route for a full method {@code /pkg.Svc/Method}, or null. */
  Match match(String fullMethod) {
    Compiled route = exact.get(fullMethod);
    if (route == null) {
      int slash = fullMethod.lastIndexOf('/');
      if (slash > 0) {
        route = services.get(fullMethod.substring(1, slash));
      }
    }
    if (route == null && !all.isEmpty()) {
      route = all.get(0);
    }
    if (route == null) {
      route = fallback;
    }
    return route == null ? null : new Match(route, route.replyFor(fullMethod));
  }
}
