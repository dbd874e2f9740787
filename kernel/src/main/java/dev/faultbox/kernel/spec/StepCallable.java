package dev.faultbox.kernel.spec;

import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.StepException;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.spi.StepResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkCallable;
import net.starlark.java.eval.StarlarkThread;
import net.starlark.java.spelling.SpellChecker;

/** A plugin's step method bound to one interface, callable from a test: {@code svc.main.send(...)}. */
@StarlarkBuiltin(name = "builtin_function_or_method")
final class StepCallable implements StarlarkCallable {
  private final String name;
  private final StepMethod method;
  private final Endpoint target;

  StepCallable(String name, StepMethod method, Endpoint target) {
    this.name = name;
    this.method = method;
    this.target = target;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public Object fastcall(StarlarkThread thread, Object[] positional, Object[] named)
      throws EvalException {
    MonitorRunner.refuseIn(thread, "a step");
    List<String> params = method.parameters();
    if (positional.length > params.size()) {
      throw Starlark.errorf("%s() takes at most %d positional arguments (%s), got %d",
          name, params.size(), String.join(", ", params), positional.length);
    }
    Map<String, Object> kwargs = new LinkedHashMap<>();
    for (int i = 0; i < positional.length; i++) {
      kwargs.put(params.get(i), Values.toJava(positional[i], name + "() argument " + params.get(i)));
    }
    for (int i = 0; i < named.length; i += 2) {
      String key = (String) named[i];
      if (!params.contains(key)) {
        throw Starlark.errorf("%s() got unexpected keyword argument '%s'%s; accepted: %s",
            name, key, SpellChecker.didYouMean(key, params), String.join(", ", params));
      }
      if (kwargs.put(key, Values.toJava(named[i + 1], name + "() argument " + key)) != null) {
        throw Starlark.errorf("%s() got multiple values for argument '%s'", name, key);
      }
    }
    TestScope scope = TestScope.of(thread);
    String where = target.service() + "." + target.iface();
    try {
      StepResult result = method.call(target, kwargs);
      if (scope != null) {
        scope.stepped(where, !(result instanceof StepResult.Response r) || r.ok());
      }
      return StepResponseValue.of(result);
    } catch (StepException e) {
      if (scope != null) {
        scope.stepped(where, false);
      }
      throw new EvalException(e.getMessage());
    }
  }

  @Override
  public boolean isImmutable() {
    return true;
  }

  @Override
  public void repr(Printer p) {
    p.append("<step ").append(target.service()).append(".").append(target.iface()).append(".")
        .append(name).append(">");
  }
}
