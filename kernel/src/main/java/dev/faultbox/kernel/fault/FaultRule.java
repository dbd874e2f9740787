package dev.faultbox.kernel.fault;

import dev.faultbox.kernel.event.Glob;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.FaultProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkInt;
import net.starlark.java.eval.StarlarkValue;
import net.starlark.java.spelling.SpellChecker;

/**
 * One rule of a fault, as {@code error(...)}, {@code response(...)}, {@code delay(...)} or
 * {@code drop(...)} build it: matchers saying which requests it takes, how often, and what happens
 * to them. The matchers are checked, and compiled, when the rule is laid on an interface
 * ({@link #on}), by the fault model of that interface's protocol: the kernel knows none.
 * Immutable; matching allocates nothing.
 */
@StarlarkBuiltin(name = "fault_rule")
public final class FaultRule implements StarlarkValue {

  /** What the rule does to a request it takes. */
  public enum Kind { ERROR, RESPONSE, DELAY, DROP }

  /** What error() says when the spec gives no message. */
  public static final String DEFAULT_MESSAGE = "injected fault";

  /** Unset status: the protocol's own default applies when the rule meets its target. */
  public static final int DEFAULT_STATUS = -1;

  /** One matcher, compiled for the protocol: a glob (upper-cased on both sides when caseless), or a prefix as written. */
  private record Matcher(String name, Glob glob, boolean caseless, String prefix) {
    boolean matches(FaultProbe p) {
      String value = name.equals("op") ? p.op() : p.attributes().get(name);
      if (value == null) {
        return false;
      }
      if (glob == null) {
        return value.startsWith(prefix);
      }
      return glob.matches(caseless ? value.toUpperCase(java.util.Locale.ROOT) : value);
    }
  }

  private final Kind kind;
  private final Map<String, String> matchers; // as written, for messages
  private final List<Matcher> compiled; // null until laid on an interface
  private final double probability;
  private final int status;
  private final String statusName; // status= given as a name, resolved by the protocol; null if not
  private final String message;
  private final Duration delay;
  private final boolean stream; // drop(stream = True): reset the stream, keep the connection
  private final Map<String, Object> options; // the protocol's own keywords (after = 3), Integer or Boolean

  /**
   * @param status a number, or {@link #DEFAULT_STATUS}
   * @param statusName the status as a name (status = "UNAVAILABLE"), or null
   * @param stream for a drop: reset only the request's stream where the protocol has streams
   */
  public FaultRule(Kind kind, Map<String, String> matchers, double probability, int status, String statusName,
      String message, Duration delay, boolean stream) {
    this(kind, matchers, null, probability, status, statusName, message, delay, stream, Map.of());
  }

  private FaultRule(Kind kind, Map<String, String> matchers, List<Matcher> compiled, double probability, int status,
      String statusName, String message, Duration delay, boolean stream, Map<String, Object> options) {
    this.kind = kind;
    this.matchers = Map.copyOf(matchers);
    this.compiled = compiled;
    this.probability = probability;
    this.status = status;
    this.statusName = statusName;
    this.message = message;
    this.delay = delay;
    this.stream = stream;
    this.options = Map.copyOf(options);
  }

  /** This rule with keywords of a protocol's own ({@code after = 3}), judged when it is laid on an interface. */
  public FaultRule withOptions(Map<String, Object> options) {
    return new FaultRule(kind, matchers, compiled, probability, status, statusName, message, delay, stream, options);
  }

  public Kind kind() {
    return kind;
  }

  double probability() {
    return probability;
  }

  /**
   * This rule laid on an interface of {@code protocol}: refuses matchers and statuses the protocol
   * cannot honour, compiles the matchers, and settles the default status.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public FaultRule on(String protocol, FaultModel model) {
    List<Matcher> out = new ArrayList<>();
    for (Map.Entry<String, String> m : new TreeMap<>(matchers).entrySet()) {
      FaultModel.Match how = model.matchers().get(m.getKey());
      if (how == null) {
        TreeSet<String> honoured = new TreeSet<>(model.matchers().keySet());
        throw new IllegalArgumentException(Starlark.repr(this) + " cannot apply to a " + protocol + " interface: "
            + m.getKey() + "= means nothing there" + SpellChecker.didYouMean(m.getKey(), honoured) + "; " + protocol
            + (honoured.isEmpty() ? " rules take no matchers" : " rules match on " + String.join(", ", honoured)));
      }
      out.add(switch (how) {
        case GLOB -> new Matcher(m.getKey(), Glob.compile(m.getValue()), false, null);
        case GLOB_IGNORING_CASE ->
            new Matcher(m.getKey(), Glob.compile(m.getValue().toUpperCase(java.util.Locale.ROOT)), true, null);
        case PREFIX -> new Matcher(m.getKey(), null, false, m.getValue());
      });
    }
    int s = status;
    if (kind == Kind.ERROR || kind == Kind.RESPONSE) {
      if (statusName != null) {
        Integer n = model.statusNames().get(statusName.toUpperCase(java.util.Locale.ROOT));
        if (n == null) {
          throw new IllegalArgumentException(Starlark.repr(this) + ": " + (model.statusNames().isEmpty()
              ? "a " + protocol + " interface takes a number such as " + model.errorStatus() + ", not a status name"
              : "unknown status " + Starlark.repr(statusName)
                  + SpellChecker.didYouMean(statusName.toUpperCase(java.util.Locale.ROOT), model.statusNames().keySet())
                  + "; use one of " + String.join(", ", new TreeSet<>(model.statusNames().keySet()))));
        }
        s = n;
      } else if (s == DEFAULT_STATUS) {
        s = kind == Kind.ERROR ? model.errorStatus() : model.responseStatus();
      }
      if (s < model.minStatus() || s > model.maxStatus()) { // a name may stand for one a rule cannot give (OK)
        throw new IllegalArgumentException(Starlark.repr(this) + ": a " + protocol + " status is "
            + model.minStatus() + ".." + model.maxStatus() + (model.statusNames().isEmpty() ? "" : " or a name such as "
            + Starlark.repr(new TreeSet<>(model.statusNames().keySet()).first())) + ", got " + s);
      }
    }
    for (Map.Entry<String, Object> o : new TreeMap<>(options).entrySet()) {
      checkOption(protocol, model, o.getKey(), o.getValue());
    }
    return new FaultRule(kind, matchers, List.copyOf(out), probability, s, null, message, delay, stream, options);
  }

  private void checkOption(String protocol, FaultModel model, String name, Object value) {
    String fn = kind.name().toLowerCase(java.util.Locale.ROOT);
    FaultModel.RuleOption option = model.options().get(name);
    if (option == null) {
      throw new IllegalArgumentException(Starlark.repr(this) + " cannot apply to a " + protocol + " interface: "
          + name + "= means nothing there" + SpellChecker.didYouMean(name, model.options().keySet())
          + (model.options().isEmpty() ? "" : "; " + protocol + " rules take " + describe(model)));
    }
    if (!option.rules().contains(fn)) {
      throw new IllegalArgumentException(Starlark.repr(this) + ": on a " + protocol + " interface " + name + "= ("
          + option.doc() + ") is for " + String.join("(), ", new TreeSet<>(option.rules())) + "(), not " + fn + "()");
    }
    boolean fits = switch (option.type()) {
      case COUNT -> value instanceof Integer n && n >= 0;
      case FLAG -> value instanceof Boolean;
    };
    if (!fits) {
      throw new IllegalArgumentException(Starlark.repr(this) + ": " + name + "= takes "
          + (option.type() == FaultModel.RuleOption.Type.COUNT ? "a whole number, 0 or more" : "True or False")
          + " (" + option.doc() + ")");
    }
  }

  private static String describe(FaultModel model) {
    List<String> out = new ArrayList<>();
    new TreeMap<>(model.options()).forEach((n, o) -> out.add(n + "= (" + o.doc() + ")"));
    return String.join(", ", out);
  }

  /** Whether the request is one this rule takes (probability aside). Only for a rule laid with {@link #on}. */
  boolean matches(FaultProbe p) {
    for (Matcher m : compiled) {
      if (!m.matches(p)) {
        return false;
      }
    }
    return true;
  }

  /** The decision for a request this rule took, in the name of {@code fault}. */
  FaultDecision decision(String fault) {
    Optional<String> name = Optional.of(fault);
    return switch (kind) {
      case ERROR -> new FaultDecision(FaultDecision.Action.ERROR, Duration.ZERO, status, message, name, options);
      case RESPONSE -> new FaultDecision(FaultDecision.Action.RESPOND, Duration.ZERO, status, message, name, options);
      case DELAY -> new FaultDecision(FaultDecision.Action.PASS, delay, 0, "", name, options);
      case DROP -> new FaultDecision(stream ? FaultDecision.Action.RESET : FaultDecision.Action.DROP,
          Duration.ZERO, 0, "", name, options);
    };
  }

  @Override
  public boolean isImmutable() {
    return true;
  }

  @Override
  public void repr(Printer p) {
    p.append(kind.name().toLowerCase(java.util.Locale.ROOT)).append("(");
    String sep = "";
    for (Map.Entry<String, String> m : new TreeMap<>(matchers).entrySet()) {
      p.append(sep).append(m.getKey()).append(" = ").repr(m.getValue());
      sep = ", ";
    }
    if ((kind == Kind.ERROR || kind == Kind.RESPONSE) && (status != DEFAULT_STATUS || statusName != null)) {
      p.append(sep).append("status = ");
      if (statusName != null) {
        p.repr(statusName);
      } else {
        p.append(Integer.toString(status));
      }
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
    for (Map.Entry<String, Object> o : new TreeMap<>(options).entrySet()) {
      p.append(sep).append(o.getKey()).append(" = ").repr(o.getValue() instanceof Integer n ? StarlarkInt.of(n) : o.getValue());
      sep = ", ";
    }
    if (probability < 1) {
      p.append(sep).append("probability = ").repr(Math.round(probability * 1000) / 10.0 + "%");
    }
    p.append(")");
  }
}
