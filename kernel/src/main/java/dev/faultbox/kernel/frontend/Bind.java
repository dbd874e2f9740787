package dev.faultbox.kernel.frontend;

import java.util.ArrayList;
import java.util.List;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkCallable;
import net.starlark.java.eval.StarlarkThread;

/**
 * The {@code __bind} builtin used by rewritten specs: {@code __bind(fn, __c_x=x, __d_0_p=v)}
 * returns a closure value that calls the hoisted function {@code fn} with the captured values
 * {@code __c_*} added as keyword arguments, and with the defaults {@code __d_INDEX_NAME}
 * (evaluated where the lambda was created; INDEX is the parameter's positional index, or
 * {@code k} for a keyword-only parameter) supplied for parameters the caller left out.
 */
public final class Bind implements StarlarkCallable {
  public static final Bind INSTANCE = new Bind();

  private Bind() {}

  @Override
  public String getName() {
    return Rewriter.BIND;
  }

  @Override
  public Object fastcall(StarlarkThread thread, Object[] positional, Object[] named)
      throws EvalException {
    if (positional.length != 1 || !(positional[0] instanceof StarlarkCallable fn)) {
      throw Starlark.errorf("%s: expected one function argument", Rewriter.BIND);
    }
    List<Object> captures = new ArrayList<>(named.length);
    List<Object[]> defaults = new ArrayList<>();
    for (int i = 0; i < named.length; i += 2) {
      String key = (String) named[i];
      if (key.startsWith(Rewriter.DEFAULT)) {
        int us = key.indexOf('_', Rewriter.DEFAULT.length());
        String idx = key.substring(Rewriter.DEFAULT.length(), us);
        int index = idx.equals("k") ? -1 : Integer.parseInt(idx);
        defaults.add(new Object[] {key.substring(us + 1), index, named[i + 1]});
      } else {
        captures.add(key);
        captures.add(named[i + 1]);
      }
    }
    return new Closure(fn, FrontEnd.unmangleName(fn.getName()), captures.toArray(),
        defaults.toArray(new Object[0][]));
  }

  @Override
  public void repr(Printer printer) {
    printer.append("<built-in function " + Rewriter.BIND + ">");
  }

  /** A lambda or nested def value: a hoisted function plus its captured values. */
  @StarlarkBuiltin(name = "function", category = "core", doc = "A function.")
  public static final class Closure implements StarlarkCallable {
    private final StarlarkCallable fn;
    private final String name;
    private final Object[] captures; // name, value, name, value...
    private final Object[][] defaults; // {name, positional index or -1, value}

    Closure(StarlarkCallable fn, String name, Object[] captures, Object[][] defaults) {
      this.fn = fn;
      this.name = name;
      this.captures = captures;
      this.defaults = defaults;
    }

    @Override
    public String getName() {
      return name;
    }

    /** The hoisted top-level function that this closure calls. */
    public StarlarkCallable function() {
      return fn;
    }

    @Override
    public Object fastcall(StarlarkThread thread, Object[] positional, Object[] named)
        throws EvalException, InterruptedException {
      Object[] all;
      if (defaults.length == 0) {
        if (captures.length == 0) {
          return Starlark.fastcall(thread, fn, positional, named);
        }
        all = new Object[named.length + captures.length];
        System.arraycopy(named, 0, all, 0, named.length);
        System.arraycopy(captures, 0, all, named.length, captures.length);
        return Starlark.fastcall(thread, fn, positional, all);
      }
      List<Object> list = new ArrayList<>(named.length + captures.length + 2 * defaults.length);
      for (Object o : named) {
        list.add(o);
      }
      for (Object[] d : defaults) {
        int index = (Integer) d[1];
        if (index >= 0 && index < positional.length) {
          continue;
        }
        boolean given = false;
        for (int i = 0; i < named.length; i += 2) {
          if (d[0].equals(named[i])) {
            given = true;
            break;
          }
        }
        if (!given) {
          list.add(d[0]);
          list.add(d[2]);
        }
      }
      for (Object o : captures) {
        list.add(o);
      }
      return Starlark.fastcall(thread, fn, positional, list.toArray());
    }

    @Override
    public boolean isImmutable() {
      if (!Starlark.isImmutable(fn)) {
        return false;
      }
      for (int i = 1; i < captures.length; i += 2) {
        if (!Starlark.isImmutable(captures[i])) {
          return false;
        }
      }
      for (Object[] d : defaults) {
        if (!Starlark.isImmutable(d[2])) {
          return false;
        }
      }
      return true;
    }

    @Override
    public void checkHashable() {
      // hashed by identity, like a Starlark function
    }

    @Override
    public void repr(Printer printer) {
      printer.append("<function " + name + ">");
    }

    @Override
    public String toString() {
      return "<function " + name + ">";
    }
  }
}
