package dev.faultbox.kernel.spec;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import dev.faultbox.spi.StepResult;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.eval.Dict;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.StarlarkInt;
import net.starlark.java.eval.Structure;
import net.starlark.java.spelling.SpellChecker;

/**
 * What a step returns: {@code .status .body .raw .json .ok .error .headers .duration_ms}, plus
 * the protocol's own attributes. Truthy when the exchange succeeded.
 */
@StarlarkBuiltin(name = "response")
public final class StepResponseValue implements Structure {
  private static final ImmutableList<String> FIELDS =
      ImmutableList.of("status", "body", "raw", "json", "ok", "error", "headers", "duration_ms");

  private final StepResult.Response r;
  private Object json; // parsed on first use

  public StepResponseValue(StepResult.Response r) {
    this.r = r;
  }

  @Override
  public Object getValue(String name) {
    return switch (name) {
      case "status" -> StarlarkInt.of(r.status());
      case "body" -> r.bodyText();
      case "raw" -> BytesValue.of(r.body());
      case "json" -> json();
      case "ok" -> r.ok();
      case "error" -> r.error();
      case "headers" -> Dict.immutableCopyOf(r.headers());
      case "duration_ms" -> StarlarkInt.of(r.durationMs());
      default -> r.attributes().get(name);
    };
  }

  private synchronized Object json() {
    if (json == null) {
      json = Values.toStarlark(Values.parseJsonOrNull(r.body()), null);
    }
    return json;
  }

  @Override
  public ImmutableCollection<String> getFieldNames() {
    return ImmutableList.<String>builder().addAll(FIELDS).addAll(r.attributes().keySet()).build();
  }

  @Override
  public String getErrorMessageForUnknownField(String field) {
    return "response has no field '" + field + "'" + SpellChecker.didYouMean(field, getFieldNames())
        + "; it has " + String.join(", ", getFieldNames());
  }

  @Override
  public boolean truth() {
    return r.ok();
  }

  @Override
  public boolean isImmutable() {
    return true;
  }

  @Override
  public void repr(Printer p) {
    p.append("response(ok = ").append(r.ok() ? "True" : "False")
        .append(", status = ").append(Integer.toString(r.status()))
        .append(", body = ").repr(abbreviate(r.bodyText()));
    if (!r.error().isEmpty()) {
      p.append(", error = ").repr(r.error());
    }
    p.append(", duration_ms = ").append(Long.toString(r.durationMs())).append(")");
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }

  static Object of(StepResult result) {
    if (result instanceof StepResult.Response r) {
      return new StepResponseValue(r);
    }
    return Values.toStarlark(((StepResult.Value) result).value(), null);
  }
}
