package dev.faultbox.kernel.frontend;

import dev.faultbox.kernel.SpecException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Module;
import net.starlark.java.eval.Mutability;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkCallable;
import net.starlark.java.eval.StarlarkList;
import net.starlark.java.eval.StarlarkThread;
import net.starlark.java.syntax.Program;

/** Runs specs through the front-end for tests. */
abstract class FrontEndTestSupport {
  final FrontEnd fe = new FrontEnd();
  /** Values passed to assert_eventually/assert_never, with the results of calling them. */
  final List<Object> asserted = new ArrayList<>();
  final List<Object> assertedResults = new ArrayList<>();
  Translation last;

  /** Calls its first argument three times (as the runtime would) and records the results. */
  final StarlarkCallable assertBuiltin(String name) {
    return new StarlarkCallable() {
      @Override
      public String getName() {
        return name;
      }

      @Override
      public Object fastcall(StarlarkThread thread, Object[] positional, Object[] named)
          throws EvalException, InterruptedException {
        Object f = positional[0];
        asserted.add(f);
        if (!(f instanceof StarlarkCallable)) {
          throw Starlark.errorf("%s: condition is not callable: %s", name, Starlark.type(f));
        }
        List<Object> results = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          Object r = Starlark.fastcall(thread, f, new Object[0], new Object[0]);
          if (r instanceof StarlarkCallable) {
            r = Starlark.fastcall(thread, r, new Object[0], new Object[0]);
          }
          results.add(r);
        }
        assertedResults.add(results);
        return Starlark.NONE;
      }
    };
  }

  Module newModule() {
    Map<String, Object> pre = new HashMap<>(FrontEnd.PREDECLARED);
    pre.put("assert_eventually", assertBuiltin("assert_eventually"));
    pre.put("assert_never", assertBuiltin("assert_never"));
    return Module.withPredeclared(FrontEnd.semantics(), pre);
  }

  Translation translate(String src) throws SpecException {
    return translate("spec.star", src);
  }

  Translation translate(String file, String src) throws SpecException {
    last = fe.translate(file, src);
    return last;
  }

  /** Translates, compiles and runs; returns the module. Evaluation errors are remapped. */
  Module run(String src) throws SpecException, InterruptedException {
    return run("spec.star", src);
  }

  Module run(String file, String src) throws SpecException, InterruptedException {
    Translation t = translate(file, src);
    Module m = newModule();
    Program p = fe.compile(t, m);
    try (Mutability mu = Mutability.create("test")) {
      StarlarkThread th = new StarlarkThread(mu, FrontEnd.semantics());
      Starlark.execFileProgram(p, m, th);
    } catch (EvalException e) {
      lastTraceback = fe.traceback(e);
      throw fe.remap(e);
    }
    return m;
  }

  String lastTraceback;

  /** Runs and returns the string form of a global. */
  String global(String src, String name) throws Exception {
    Object v = run(src).getGlobal(name);
    return v instanceof String s ? s : Starlark.repr(v);
  }

  static StarlarkList<?> list(Object o) {
    return (StarlarkList<?>) o;
  }
}
