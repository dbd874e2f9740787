package dev.faultbox.kernel.frontend;

import dev.faultbox.kernel.SpecException;
import java.util.Map;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.StarlarkSemantics;
import net.starlark.java.syntax.FileOptions;
import net.starlark.java.syntax.Location;
import net.starlark.java.syntax.ParserInput;
import net.starlark.java.syntax.Program;
import net.starlark.java.syntax.Resolver;
import net.starlark.java.syntax.StarlarkFile;
import net.starlark.java.syntax.SyntaxError;

/** TEMPORARY stand-in until the real front-end lands: no rewriting. */
public final class FrontEnd {
  public static final Map<String, Object> PREDECLARED = Map.of();

  public static StarlarkSemantics semantics() {
    return StarlarkSemantics.builder().setBool(StarlarkSemantics.ALLOW_RECURSION, true).build();
  }

  public Translation translate(String file, String source) throws SpecException {
    return new Translation(file, source, source);
  }

  public Program compile(Translation t, Resolver.Module env) throws SpecException {
    StarlarkFile f = StarlarkFile.parse(ParserInput.fromString(t.source(), t.file()), FileOptions.DEFAULT);
    try {
      return Program.compileFile(f, env);
    } catch (SyntaxError.Exception e) {
      SyntaxError first = e.errors().get(0);
      throw new SpecException(first.location().toString(), first.message());
    }
  }

  public SpecException remap(EvalException e) {
    var stack = e.getCallStack();
    String loc = null;
    for (var entry : stack) {
      if (!entry.location.file().equals("<builtin>")) {
        loc = entry.location.toString();
      }
    }
    return new SpecException(loc, e.getMessage());
  }

  public String traceback(EvalException e) {
    return e.getMessageWithStack();
  }

  public Location locate(Location loc) {
    return loc;
  }

  public static boolean isHidden(String name) {
    return name.startsWith("__");
  }
}
