package dev.faultbox.kernel.fault;

import dev.faultbox.kernel.event.Glob;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultProbe;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.StarlarkValue;

/**
 * One rule of a fault, as {@code error(...)}, {@code response(...)}, {@code delay(...)} or
 * {@code drop(...)} build it: matchers (globs) saying which requests it takes, how often, and what
 * happens to them. Immutable; matching allocates nothing.
 */
@StarlarkBuiltin(name = "fault_rule")
public final class FaultRule implements StarlarkValue {

  /** What the rule does to a request it takes. */
  public enum Kind { ERROR, RESPONSE, DELAY, DROP }

  /** Matchers each protocol can honour; others are refused when the rule meets its target. */
  static final Map<String, Set<String>> MATCHERS = Map.of(
      "http", Set.of("path", "method"),
      "http2", Set.of("path", "method"),
      "grpc", Set.of("method"),
      "tcp", Set.of("op", "prefix"),
      "udp", Set.of("op", "prefix"),
      "kafka", Set.of("topic", "op"),
      "redis", Set.of("key", "command"),
      "mongodb", Set.of("collection", "op"));

  private final Kind kind;
  /** What error() says when the spec gives no message. */
  public static final String DEFAULT_MESSAGE = "injected fault";

  private final Map<String, String> matchers; // as written, for messages
  private final Glob path;
  private final Glob method;
  private final Glob op;
  private final String prefix;
  private final Map<String, Glob> attributes; // topic, key, collection, command
  private final double probability;
  private final int status;
  private final String message;
  private final Duration delay;
  private final boolean statusByName; // status= was a gRPC code name
  private final boolean stream; // drop(stream = True): reset the stream, keep the connection

  /** Unset status: the protocol's own default applies when the rule meets its target. */
  public static final int DEFAULT_STATUS = -1;

  public FaultRule(Kind kind, Map<String, String> matchers, double probability, int status, String message, Duration delay) {
    this(kind, matchers, probability, status, message, delay, false, false);
  }

  /**
   * @param statusByName whether status was given as a gRPC code name, which only gRPC takes
   * @param stream for a drop: reset only the request's stream where the protocol has streams
   */
  public FaultRule(Kind kind, Map<String, String> matchers, double probability, int status, String message,
      Duration delay, boolean statusByName, boolean stream) {
    this.statusByName = statusByName;
    this.stream = stream;
    this.kind = kind;
    this.matchers = Map.copyOf(matchers);
    this.path = glob(matchers.get("path"));
    this.method = glob(matchers.get("method"));
    this.op = glob(matchers.get("op"));
    this.prefix = matchers.get("prefix");
    Map<String, Glob> attrs = new LinkedHashMap<>();
    for (String k : List.of("topic", "key", "collection", "command")) {
      if (matchers.containsKey(k)) {
        attrs.put(k, Glob.compile(matchers.get(k)));
      }
    }
    this.attributes = Map.copyOf(attrs);
    this.probability = probability;
    this.status = status;
    this.message = message;
    this.delay = delay;
  }

  private static Glob glob(String pattern) {
    return pattern == null ? null : Glob.compile(pattern);
  }

  public Kind kind() {
    return kind;
  }

  double probability() {
    return probability;
  }

  /**
   * This rule laid on an interface of {@code protocol}: refuses matchers the protocol cannot
   * honour and settles the default status (HTTP 500, gRPC INTERNAL).
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public FaultRule on(String protocol) {
    Set<String> honoured = MATCHERS.get(protocol);
    if (honoured != null) {
      for (String m : matchers.keySet()) {
        if (!honoured.contains(m)) {
          throw new IllegalArgumentException(net.starlark.java.eval.Starlark.repr(this) + " cannot apply to a "
              + protocol + " interface: " + m + "= means nothing there; " + protocol + " rules match on "
              + String.join(", ", new java.util.TreeSet<>(honoured)));
        }
      }
    }
    boolean grpc = protocol.equals("grpc");
    int s = status;
    if ((kind == Kind.ERROR || kind == Kind.RESPONSE) && s == DEFAULT_STATUS) {
      s = grpc ? 13 : kind == Kind.ERROR ? 500 : 200;
    }
    if (grpc && (kind == Kind.ERROR || kind == Kind.RESPONSE) && (s < 1 || s > 16)) {
      throw new IllegalArgumentException(net.starlark.java.eval.Starlark.repr(this)
          + ": a gRPC status must be a code 1..16 or a name such as \"UNAVAILABLE\"");
    }
    if (!grpc && statusByName) {
      throw new IllegalArgumentException(net.starlark.java.eval.Starlark.repr(this) + " names a gRPC status; a "
          + protocol + " interface takes a number such as 503");
    }
    if (!grpc && (kind == Kind.ERROR || kind == Kind.RESPONSE) && (s < 100 || s > 999)) {
      throw new IllegalArgumentException(net.starlark.java.eval.Starlark.repr(this) + ": status " + s + " is not a status");
    }
    return s == status ? this : new FaultRule(kind, matchers, probability, s, message, delay, statusByName, stream);
  }

  /** Whether the request is one this rule takes (probability aside). */
  boolean matches(FaultProbe p) {
    if (path != null && !path.matches(p.path())) {
      return false;
    }
    if (method != null && !(method.matches(p.method()) || method.matches(p.method().toUpperCase(java.util.Locale.ROOT)))) {
      return false;
    }
    if (op != null && !op.matches(p.op())) {
      return false;
    }
    if (prefix != null) {
      String text = p.attributes().get("prefix");
      if (text == null || !text.startsWith(prefix)) {
        return false;
      }
    }
    for (Map.Entry<String, Glob> a : attributes.entrySet()) {
      if (!a.getValue().matches(p.attributes().get(a.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** The decision for a request this rule took, in the name of {@code fault}. */
  FaultDecision decision(String fault) {
    Optional<String> name = Optional.of(fault);
    return switch (kind) {
      case ERROR -> new FaultDecision(FaultDecision.Action.ERROR, Duration.ZERO, status, message, name);
      case RESPONSE -> new FaultDecision(FaultDecision.Action.RESPOND, Duration.ZERO, status, message, name);
      case DELAY -> new FaultDecision(FaultDecision.Action.PASS, delay, 0, "", name);
      case DROP -> new FaultDecision(stream ? FaultDecision.Action.RESET : FaultDecision.Action.DROP,
          Duration.ZERO, 0, "", name);
    };
  }

  @Override
  public boolean isImmutable() {
    return true;
  }

  @Override
  public void repr(Printer p) {
    p.append(switch (kind) {
      case ERROR -> "error";
      case RESPONSE -> "response";
      case DELAY -> "delay";
      case DROP -> "drop";
    }).append("(");
    String sep = "";
    for (Map.Entry<String, String> m : new java.util.TreeMap<>(matchers).entrySet()) {
      p.append(sep).append(m.getKey()).append(" = ").repr(m.getValue());
      sep = ", ";
    }
    if ((kind == Kind.ERROR || kind == Kind.RESPONSE) && status != DEFAULT_STATUS) {
      p.append(sep).append("status = ").append(Integer.toString(status));
      sep = ", ";
    }
    if ((kind == Kind.ERROR || kind == Kind.RESPONSE) && !message.isEmpty() && !message.equals(DEFAULT_MESSAGE)) {
      p.append(sep).append(kind == Kind.ERROR ? "message = " : "body = ").repr(message);
      sep = ", ";
    }
    if (kind == Kind.DELAY) {
      p.append(sep).append("delay = ").repr(delay.toMillis() + "ms");
      sep = ", ";
    }
    if (stream) {
      p.append(sep).append("stream = True");
      sep = ", ";
    }
    if (probability < 1) {
      p.append(sep).append("probability = ").repr(Math.round(probability * 1000) / 10.0 + "%");
    }
    p.append(")");
  }
}
