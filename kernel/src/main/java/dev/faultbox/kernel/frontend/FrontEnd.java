package dev.faultbox.kernel.frontend;

import dev.faultbox.kernel.SpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.StarlarkSemantics;
import net.starlark.java.eval.StarlarkThread;
import net.starlark.java.syntax.CallExpression;
import net.starlark.java.syntax.FileOptions;
import net.starlark.java.syntax.Identifier;
import net.starlark.java.syntax.Location;
import net.starlark.java.syntax.NodeVisitor;
import net.starlark.java.syntax.ParserInput;
import net.starlark.java.syntax.Program;
import net.starlark.java.syntax.Resolver;
import net.starlark.java.syntax.StarlarkFile;
import net.starlark.java.syntax.SyntaxError;

/**
 * The Starlark front-end: lets specs use {@code lambda} and nested {@code def} (closures), which
 * Starlark for Java 4.2.1 rejects, by rewriting them into plain top-level functions.
 *
 * <h2>What it does</h2>
 *
 * <ul>
 *   <li>Each {@code lambda PARAMS: BODY}, each nested {@code def} and the first positional argument
 *       of each {@code assert_eventually(...)} / {@code assert_never(...)} call (unless it is
 *       already a lambda; it becomes {@code lambda: EXPR}) is hoisted into a top-level
 *       {@code def __lambda_N} / {@code def __def_N_NAME}, placed just before the top-level
 *       statement containing it. Captured variables (locals of enclosing functions, lambdas and
 *       comprehensions that the closure reads) become keyword-only parameters {@code __c_NAME};
 *       the site becomes {@code __bind(HOISTED, __c_NAME=NAME, ...)}, a value of Starlark type
 *       {@code function} named {@code lambda} or the def's own name. Globals and builtins stay free
 *       names, looked up when the closure runs, as natively.
 *   <li>Top-level {@code if} and {@code for} are rejected with a message giving the rewrite.
 *   <li>Every syntax, resolve and evaluation error is reported at the user's file:line:col with
 *       hoisted names unmangled ({@link #remap}, {@link #traceback}).
 * </ul>
 *
 * <h2>Running translated code</h2>
 *
 * Translated programs must run with {@link #semantics()} (recursion allowed: all closures of one
 * lambda share one hoisted function, and 4.2.1's recursion check compares functions by identity;
 * as a consequence user functions may recurse too), in a module whose predeclared bindings
 * include {@link #PREDECLARED}. Use {@link #isHidden} to skip front-end globals when listing a
 * module's globals. Use one {@code FrontEnd} per run: it remembers every translated file (a spec
 * and the files it loads) so errors can be mapped back.
 *
 * <h2>Differences from Python closures</h2>
 *
 * Captured variables are bound <b>by value</b> when the lambda or nested def is created:
 *
 * <ul>
 *   <li>{@code [lambda: i for i in range(3)]} yields functions returning 0, 1, 2 (Python: 2, 2, 2);
 *       the same holds for lambdas created in a {@code for} loop.
 *   <li>A closure does not see later reassignments of an enclosing function's variable, nor can it
 *       use a variable of an enclosing function that is assigned only after the closure is
 *       created: {@code g = lambda: x} before {@code x = 1} fails with "local variable 'x' is
 *       referenced before assignment" where the lambda is created. Move the assignment first.
 *       A lambda assigned to a local that calls itself by that name fails the same way; use a
 *       nested def instead. Mutating a captured list or dict is visible, as natively.
 *   <li>Nested defs referencing themselves or sibling nested defs (bound only by one {@code def},
 *       with constant defaults) work regardless of definition order: each reference rebuilds the
 *       sibling from its hoisted function. The sibling's own captures are then taken when the
 *       referencing closure is created, so they too must already be assigned.
 *   <li>Non-constant default values are evaluated where the lambda or def is created (as
 *       natively) and supplied by the closure when the caller omits them; constant defaults
 *       (numbers, strings, None, True, False) stay in the hoisted signature.
 *   <li>{@code repr} of a closure is {@code <function lambda>} or {@code <function NAME>}.
 * </ul>
 *
 * Every closure value, even one capturing nothing, is a {@code __bind(...)} value, so that it is
 * named and reported uniformly; the forwarding frame of {@code __bind} is dropped from remapped
 * call stacks. Resolver "did you mean" suggestions are computed on the rewritten program, so a
 * misspelled captured name may get no suggestion.
 *
 * <p>Names beginning with {@code __lambda_}, {@code __def_}, {@code __c_}, {@code __d_} and the name
 * {@code __bind} are reserved.
 */
public final class FrontEnd {
  /** Predeclared bindings that translated code needs. */
  public static final Map<String, Object> PREDECLARED = Map.of(Rewriter.BIND, Bind.INSTANCE);

  private static final StarlarkSemantics SEMANTICS =
      StarlarkSemantics.builder().setBool(StarlarkSemantics.ALLOW_RECURSION, true).build();

  private static final Pattern MANGLED = Pattern.compile(
      "__lambda_\\d+|__def_\\d+_(\\w+)|__[cd]_(?:(?:\\d+|k)_)?(\\w+)|__LAMBDA__\\(|__KW__");
  private static final Pattern HOISTED = Pattern.compile("__lambda_\\d+|__def_\\d+_\\w+");
  private static final Pattern DID_YOU_MEAN = Pattern.compile(" \\(did you mean '(?:__lambda_|__def_|__bind|__d_)[^']*'\\?\\)");

  private final Map<String, Translation> files = new ConcurrentHashMap<>();

  /** Semantics to run translated code with: recursion is allowed (see class comment). */
  public static StarlarkSemantics semantics() {
    return SEMANTICS;
  }

  /** True for global names introduced by the front-end (skip them in getExportedGlobals()). */
  public static boolean isHidden(String globalName) {
    return globalName.startsWith(Rewriter.LAMBDA) || globalName.startsWith(Rewriter.DEF)
        || globalName.equals(Rewriter.BIND);
  }

  /**
   * Rewrites lambdas, nested defs and assertion conditions, checks syntax and top-level
   * statements, and remembers the file for error mapping.
   */
  public Translation translate(String file, String source) throws SpecException {
    int[] origLines = OffsetMap.lineStarts(source);
    OffsetMap standIn;
    try {
      standIn = LambdaLowering.lower(source, off -> location(file, OffsetMap.lineCol(origLines, off)));
    } catch (SpecException e) {
      throw earlierSyntaxError(file, source, e);
    }
    String standInText = standIn == null ? source : standIn.text();
    SourceMap standInMap = new SourceMap(standInText, null, standIn, source);

    StarlarkFile ast = StarlarkFile.parse(ParserInput.fromString(standInText, file), FileOptions.DEFAULT);
    if (!ast.ok()) {
      SpecException e = syntaxError(ast.errors(), standInMap, file);
      Location loc = ast.errors().get(0).location();
      int off = standInMap.standInOffset(loc.line(), loc.column());
      if (standInMap.standInIsSynthetic(off)) {
        // the parser tripped on a token the front-end wrote: name the user's token instead
        String token = tokenAt(source, standInMap.standInToOriginal(off));
        e = new SpecException(e.location(),
            e.reason().replaceFirst("^syntax error at '[^']*'", Matcher.quoteReplacement("syntax error at '" + token + "'")));
      }
      throw e;
    }
    int[] count = new int[1];
    OffsetMap rewritten = Rewriter.rewrite(standInText, ast,
        off -> location(file, standInMap.originalLineCol(standInMap.standInToOriginal(off))), count);
    Translation t;
    if (rewritten == null) {
      t = new Translation(file, source, standInText, standInMap, count[0]);
    } else {
      String text = rewritten.text();
      t = new Translation(file, source, text, new SourceMap(text, rewritten, standIn, source), count[0]);
    }
    files.put(file, t);
    return t;
  }

  /**
   * Parses and resolves a translation in {@code env}; the program must then run with
   * {@link #semantics()} in a module whose predeclared bindings include {@link #PREDECLARED}.
   * Errors are reported at the user's original position.
   */
  public Program compile(Translation t, Resolver.Module env) throws SpecException {
    return compile(t, env, FileOptions.DEFAULT);
  }

  /** As {@link #compile(Translation, Resolver.Module)}, with explicit file options. */
  public Program compile(Translation t, Resolver.Module env, FileOptions options) throws SpecException {
    files.putIfAbsent(t.file(), t);
    StarlarkFile f = StarlarkFile.parse(ParserInput.fromString(t.source(), t.file()), options);
    if (!f.ok()) {
      throw syntaxError(f.errors(), t.sourceMap(), t.file());
    }
    Program program;
    try {
      program = Program.compileFile(f, env);
    } catch (SyntaxError.Exception e) {
      throw syntaxError(e.errors(), t.sourceMap(), t.file());
    }
    checkCalls(f, t);
    return program;
  }

  /** A check of the calls to one builtin, made when a file compiles: null, or what is wrong with the call. */
  public interface CallCheck {
    String problem(CallExpression call);
  }

  private final Map<String, CallCheck> callChecks = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Checks each call of the builtin {@code name} when a file compiles, so a call that can never
   * work (too few arguments) fails the load at its position, even inside a test not yet run. A
   * file that binds the name itself is not checked.
   */
  public void checkCalls(String name, CallCheck check) {
    callChecks.put(name, check);
  }

  private void checkCalls(StarlarkFile f, Translation t) throws SpecException {
    if (callChecks.isEmpty()) {
      return;
    }
    SpecException[] found = new SpecException[1];
    new NodeVisitor() {
      @Override
      public void visit(CallExpression call) {
        super.visit(call);
        if (found[0] == null && call.getFunction() instanceof Identifier id && id.getBinding() != null
            && id.getBinding().getScope() == Resolver.Scope.PREDECLARED) {
          CallCheck check = callChecks.get(id.getName());
          String problem = check == null ? null : check.problem(call);
          if (problem != null) {
            Location loc = call.getLparenLocation();
            found[0] = new SpecException(location(t.file(), t.sourceMap().toOriginal(loc.line(), loc.column())), problem);
          }
        }
      }
    }.visit(f);
    if (found[0] != null) {
      throw found[0];
    }
  }

  private static String tokenAt(String src, int off) {
    if (off >= src.length()) {
      return "<end of file>";
    }
    char c = src.charAt(off);
    if (c == '\n' || c == '\r') {
      return "newline";
    }
    int e = off;
    while (e < src.length() && (Character.isLetterOrDigit(src.charAt(e)) || src.charAt(e) == '_')) {
      e++;
    }
    return src.substring(off, Math.max(e, off + 1));
  }

  /** A malformed lambda: prefer a syntax error the parser finds earlier in the file. */
  private static SpecException earlierSyntaxError(String file, String source, SpecException lambdaError) {
    StarlarkFile f = StarlarkFile.parse(ParserInput.fromString(source, file), FileOptions.DEFAULT);
    String[] at = lambdaError.location().substring(file.length() + 1).split(":");
    int line = Integer.parseInt(at[0]);
    int col = Integer.parseInt(at[1]);
    for (SyntaxError err : f.errors()) {
      Location loc = err.location();
      if (err.message().contains("'lambda'")) {
        continue;
      }
      if (loc.line() < line || loc.line() == line && loc.column() < col) {
        return new SpecException(location(file, new int[] {loc.line(), loc.column()}), err.message());
      }
      break;
    }
    return lambdaError;
  }

  private static SpecException syntaxError(List<SyntaxError> errors, SourceMap map, String file) {
    SyntaxError first = errors.get(0);
    Location loc = first.location();
    String where = loc.line() == 0 ? file : location(file, map.toOriginal(loc.line(), loc.column()));
    String msg = unmangle(first.message());
    if (errors.size() > 1) {
      msg += " (and " + (errors.size() - 1) + " more error" + (errors.size() > 2 ? "s" : "") + ")";
    }
    return new SpecException(where, msg);
  }

  private static String location(String file, int[] lineCol) {
    return file + ":" + lineCol[0] + ":" + lineCol[1];
  }

  /** Files loaded from the embedded library are named with this prefix: {@code @faultbox/mocks/statsd.star}. */
  public static final String LIBRARY_PREFIX = "@faultbox/";

  /**
   * Maps an error from running translated code to the user's source: the location of the
   * innermost call-stack frame in a user file, and the message with front-end names unmangled.
   */
  public SpecException remap(EvalException e) {
    @SuppressWarnings("deprecation")
    Location fallback = e.getDeprecatedLocation();
    return remap(e.getMessage(), e.getCallStack(), fallback);
  }

  /**
   * Maps an error given as a message and the Starlark call stack it happened in (as carried by
   * {@code Starlark.UncheckedEvalException}) to the user's source.
   */
  public SpecException remap(String message, List<StarlarkThread.CallStackEntry> callStack) {
    return remap(message, callStack, null);
  }

  private SpecException remap(String message, List<StarlarkThread.CallStackEntry> callStack, Location fallback) {
    List<StarlarkThread.CallStackEntry> stack = remapStack(callStack);
    // The innermost frame in the user's own files: an error inside a stdlib wrapper is reported
    // where the user called it. Only when no user frame is on the stack, the innermost one.
    String where = null;
    String inLibrary = null;
    for (int i = stack.size() - 1; i >= 0 && where == null; i--) {
      Location loc = stack.get(i).location;
      if (!loc.equals(Location.BUILTIN) && loc.line() != 0) {
        String at = loc.file() + ":" + loc.line() + ":" + loc.column();
        if (!loc.file().startsWith(LIBRARY_PREFIX)) {
          where = at;
        } else if (inLibrary == null) {
          inLibrary = at;
        }
      }
    }
    if (where == null) {
      where = inLibrary;
    }
    if (where == null && stack.isEmpty() && fallback != null
        && !fallback.equals(Location.BUILTIN) && fallback.line() != 0) {
      Location m = map(fallback);
      where = m.file() + ":" + m.line() + ":" + m.column();
    }
    return new SpecException(where, unmangle(message));
  }

  /** The remapped, unmangled call stack and message, formatted like Starlark's own tracebacks. */
  public String traceback(EvalException e) {
    List<StarlarkThread.CallStackEntry> stack = remapStack(e.getCallStack());
    String msg = unmangle(e.getMessage());
    if (stack.isEmpty()) {
      return "Error: " + msg;
    }
    return EvalException.formatCallStack(stack, msg, this::readLine);
  }

  private String readLine(Location loc) {
    Translation t = files.get(loc.file());
    if (t == null || loc.line() < 1) {
      return null;
    }
    String src = t.originalSource();
    int start = 0;
    for (int l = 1; l < loc.line(); l++) {
      start = src.indexOf('\n', start) + 1;
      if (start == 0) {
        return null;
      }
    }
    int end = src.indexOf('\n', start);
    return src.substring(start, end < 0 ? src.length() : end);
  }

  private List<StarlarkThread.CallStackEntry> remapStack(List<StarlarkThread.CallStackEntry> stack) {
    List<StarlarkThread.CallStackEntry> out = new ArrayList<>(stack.size());
    for (int i = 0; i < stack.size(); i++) {
      StarlarkThread.CallStackEntry fr = stack.get(i);
      // A frame interrupted before its first step (as in Starlark.UncheckedEvalException) has none.
      Location at = fr.location == null ? Location.BUILTIN : fr.location;
      boolean builtin = at.equals(Location.BUILTIN);
      if (builtin && (fr.name.equals(Rewriter.BIND)
          || i + 1 < stack.size() && HOISTED.matcher(stack.get(i + 1).name).matches())) {
        continue; // the closure's forwarding frame
      }
      out.add(new StarlarkThread.CallStackEntry(unmangleName(fr.name), builtin ? at : map(at)));
    }
    return out;
  }

  /** Where a location in translated code is in the user's own source. */
  public Location locate(Location loc) {
    return map(loc);
  }

  private Location map(Location loc) {
    Translation t = files.get(loc.file());
    if (t == null || loc.line() == 0) {
      return loc;
    }
    int[] lc = t.sourceMap().toOriginal(loc.line(), Math.max(loc.column(), 1));
    return Location.fromFileLineColumn(loc.file(), lc[0], lc[1]);
  }

  /** The user-facing name of a function: {@code lambda}, a nested def's own name, or as is. */
  static String unmangleName(String name) {
    if (name.startsWith(Rewriter.LAMBDA)) {
      return "lambda";
    }
    if (name.startsWith(Rewriter.DEF)) {
      int us = name.indexOf('_', Rewriter.DEF.length());
      return us < 0 ? name : name.substring(us + 1);
    }
    return name;
  }

  /** Replaces front-end names in a message by the user's. */
  static String unmangle(String msg) {
    if (msg.indexOf("__") < 0) {
      return msg;
    }
    msg = DID_YOU_MEAN.matcher(msg).replaceAll("");
    Matcher m = MANGLED.matcher(msg);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String g = m.group();
      String r = g.startsWith("__lambda_") ? "lambda"
          : g.startsWith("__LAMBDA__") ? "lambda("
          : g.equals("__KW__") ? ""
          : m.group(1) != null ? m.group(1) : m.group(2);
      m.appendReplacement(sb, Matcher.quoteReplacement(r));
    }
    m.appendTail(sb);
    return sb.toString().replace(Rewriter.BIND, "function");
  }
}
