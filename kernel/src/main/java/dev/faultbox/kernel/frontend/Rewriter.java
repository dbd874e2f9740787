package dev.faultbox.kernel.frontend;

import dev.faultbox.kernel.SpecException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import net.starlark.java.syntax.Argument;
import net.starlark.java.syntax.AssignmentStatement;
import net.starlark.java.syntax.CallExpression;
import net.starlark.java.syntax.Comprehension;
import net.starlark.java.syntax.DefStatement;
import net.starlark.java.syntax.DotExpression;
import net.starlark.java.syntax.Expression;
import net.starlark.java.syntax.FloatLiteral;
import net.starlark.java.syntax.ForStatement;
import net.starlark.java.syntax.Identifier;
import net.starlark.java.syntax.IfStatement;
import net.starlark.java.syntax.IntLiteral;
import net.starlark.java.syntax.ListExpression;
import net.starlark.java.syntax.LoadStatement;
import net.starlark.java.syntax.Node;
import net.starlark.java.syntax.NodeVisitor;
import net.starlark.java.syntax.Parameter;
import net.starlark.java.syntax.Statement;
import net.starlark.java.syntax.StarlarkFile;
import net.starlark.java.syntax.StringLiteral;
import net.starlark.java.syntax.UnaryOperatorExpression;

/**
 * Pass 2: scope analysis over the stand-in syntax tree, then emission of the rewritten text.
 *
 * <p>Every lambda, every nested def and every wrapped {@code assert_eventually}/{@code
 * assert_never} condition is a {@link Closure}. Its captures are the names it reads that are
 * locals of an enclosing function, lambda or comprehension. Each closure is hoisted to a
 * top-level def taking its captures as keyword-only {@code __c_NAME} parameters, and its site is
 * replaced by {@code __bind(HOISTED, __c_NAME=NAME, ...)}.
 */
final class Rewriter {
  static final String BIND = "__bind";
  static final String CAPTURE = "__c_";
  static final String DEFAULT = "__d_";
  static final String LAMBDA = "__lambda_";
  static final String DEF = "__def_";

  private enum Kind { LAMBDA, WRAP, DEF }

  private enum PKind { PLAIN, OPTIONAL, STAR, BARE_STAR, STARSTAR }

  private record Param(PKind kind, String name, Node nameNode, Expression dflt, Node node) {}

  private static final class Scope {
    final Scope parent;
    final Set<String> locals;
    final Closure closure; // non-null for a closure's own scope
    final boolean function; // def or lambda (not module, not comprehension)
    final Map<String, DefStatement> defOnly;

    Scope(Scope parent, Set<String> locals, Closure closure, boolean function, Map<String, DefStatement> defOnly) {
      this.parent = parent;
      this.locals = locals;
      this.closure = closure;
      this.function = function;
      this.defOnly = defOnly;
    }
  }

  private static final class Closure {
    Kind kind;
    int id;
    Node site; // lambda stand-in call, wrapped expression, or nested DefStatement
    Closure owner; // innermost closure around the site, or null
    String hoisted;
    String name; // def name, or "lambda"
    final LinkedHashSet<String> captures = new LinkedHashSet<>();
    List<Param> params;
    Expression body; // LAMBDA/WRAP
    int group; // index of the top-level insertion group
    Edit edit;
  }

  private record DefRef(Identifier id, Scope from, Scope target, DefStatement def) {}

  private static final class Edit {
    final int start;
    final int end;
    final int seq;
    final Closure closure; // site replacement
    final String rename; // captured name (rename to __c_NAME)
    final DefRef ref; // reference to a sibling nested def

    Edit(int start, int end, int seq, Closure closure, String rename, DefRef ref) {
      this.start = start;
      this.end = end;
      this.seq = seq;
      this.closure = closure;
      this.rename = rename;
      this.ref = ref;
    }
  }

  private final String text;
  private final StarlarkFile file;
  private final IntFunction<String> where; // stand-in offset -> "file:line:col"
  private final List<Closure> closures = new ArrayList<>();
  private final Map<DefStatement, Closure> defClosures = new IdentityHashMap<>();
  private final List<Edit> edits = new ArrayList<>();
  private final List<DefRef> defRefs = new ArrayList<>();
  private final Map<Closure, Integer> siteCounter = new HashMap<>();
  private int[] groupStart; // insertion offset of each group
  private int[] stmtGroup;
  private OffsetMap out;

  private Rewriter(String text, StarlarkFile file, IntFunction<String> where) {
    this.text = text;
    this.file = file;
    this.where = where;
  }

  /**
   * Rewrites {@code text} (whose parsed tree is {@code file}); returns null when nothing needs
   * rewriting, otherwise the rewritten text with its map back to {@code text}.
   */
  static OffsetMap rewrite(String text, StarlarkFile file, IntFunction<String> where, int[] count)
      throws SpecException {
    Rewriter r = new Rewriter(text, file, where);
    r.analyze();
    count[0] = r.closures.size();
    if (r.closures.isEmpty()) {
      return null;
    }
    return r.emit();
  }

  // ---------------------------------------------------------------- analysis

  private SpecException error(Node n, String msg) {
    return new SpecException(where.apply(n.getStartOffset()), msg);
  }

  private void analyze() throws SpecException {
    List<Statement> stmts = file.getStatements();
    // Group top-level statements by the line start where their hoisted defs go.
    groupStart = new int[stmts.size()];
    stmtGroup = new int[stmts.size()];
    int groups = 0;
    int prevEnd = 0;
    for (int i = 0; i < stmts.size(); i++) {
      Statement st = stmts.get(i);
      int ls = text.lastIndexOf('\n', st.getStartOffset() - 1) + 1;
      if (groups == 0 || ls >= prevEnd) {
        groupStart[groups++] = ls;
      }
      stmtGroup[i] = groups - 1;
      prevEnd = st.getEndOffset();
    }
    groupStart = java.util.Arrays.copyOf(groupStart, groups);

    Analyzer a = new Analyzer();
    Scope module = new Scope(null, Set.of(), null, false, Map.of());
    a.cur = module;
    for (int i = 0; i < stmts.size(); i++) {
      Statement st = stmts.get(i);
      if (st instanceof ForStatement) {
        throw error(st, "top-level 'for' is not allowed in Starlark specs; move it into a function"
            + " (def setup(): ...) or use a comprehension ([f(x) for x in xs])");
      }
      if (st instanceof IfStatement) {
        throw error(st, "top-level 'if' is not allowed in Starlark specs; move it into a function"
            + " (def setup(): ...) or use a conditional expression (a if cond else b)");
      }
      a.group = stmtGroup[i];
      a.visit(st);
      if (a.failure != null) {
        throw a.failure;
      }
    }
    // Captures needed to rebuild referenced sibling defs propagate to the referencing closures.
    boolean changed = true;
    while (changed) {
      changed = false;
      for (DefRef r : defRefs) {
        Closure d = defClosures.get(r.def);
        for (String y : new ArrayList<>(d.captures)) {
          Scope found = resolve(y, r.from);
          if (found != resolve(y, r.target)) {
            throw error(r.id, "nested function '" + r.id.getName() + "' uses '" + y
                + "', which is redefined here; rename one of them");
          }
          for (Scope u = r.from; u != found; u = u.parent) {
            if (u.closure != null && u.closure.captures.add(y)) {
              changed = true;
            }
          }
        }
      }
    }
    edits.sort((x, y) -> x.start != y.start ? Integer.compare(x.start, y.start)
        : x.end != y.end ? Integer.compare(y.end, x.end) : Integer.compare(x.seq, y.seq));
  }

  /** The function-like scope (not module) where {@code name} is local, seen from {@code s}. */
  private static Scope resolve(String name, Scope s) {
    for (; s != null && s.parent != null; s = s.parent) {
      if (s.locals.contains(name)) {
        return s;
      }
    }
    return null;
  }

  private static Closure innermost(Scope s) {
    for (; s != null; s = s.parent) {
      if (s.closure != null) {
        return s.closure;
      }
    }
    return null;
  }

  private void addEdit(int start, int end, Closure c, String rename, DefRef ref) {
    Edit e = new Edit(start, end, edits.size(), c, rename, ref);
    edits.add(e);
    if (c != null) {
      c.edit = e;
    }
  }

  private static boolean isReserved(String name) {
    return name.startsWith("__")
        && (name.startsWith(LAMBDA) || name.startsWith(DEF) || name.startsWith(CAPTURE)
            || name.startsWith(DEFAULT) || name.equals(BIND) || name.equals(LambdaLowering.STAND_IN)
            || name.equals(LambdaLowering.BARE_STAR));
  }

  static boolean isConstant(Expression e) {
    if (e instanceof IntLiteral || e instanceof FloatLiteral || e instanceof StringLiteral) {
      return true;
    }
    if (e instanceof Identifier id) {
      String n = id.getName();
      return n.equals("None") || n.equals("True") || n.equals("False");
    }
    if (e instanceof UnaryOperatorExpression u) {
      return u.getX() instanceof IntLiteral || u.getX() instanceof FloatLiteral;
    }
    return false;
  }

  private static boolean isStandIn(CallExpression call) {
    return call.getFunction() instanceof CallExpression inner
        && inner.getFunction() instanceof Identifier id
        && id.getName().equals(LambdaLowering.STAND_IN);
  }

  /** Names bound in a function body (not in nested scopes); nested defs recorded separately. */
  private static void collect(List<Statement> stmts, Set<String> out, Map<String, List<DefStatement>> defs,
      Set<String> otherwise) {
    for (Statement st : stmts) {
      if (st instanceof AssignmentStatement as) {
        bound(as.getLHS(), out, otherwise);
      } else if (st instanceof ForStatement fs) {
        bound(fs.getVars(), out, otherwise);
        collect(fs.getBody(), out, defs, otherwise);
      } else if (st instanceof IfStatement is) {
        collect(is.getThenBlock(), out, defs, otherwise);
        if (is.getElseBlock() != null) {
          collect(is.getElseBlock(), out, defs, otherwise);
        }
      } else if (st instanceof DefStatement ds) {
        String n = ds.getIdentifier().getName();
        out.add(n);
        defs.computeIfAbsent(n, k -> new ArrayList<>()).add(ds);
      } else if (st instanceof LoadStatement ls) {
        for (LoadStatement.Binding b : ls.getBindings()) {
          out.add(b.getLocalName().getName());
          otherwise.add(b.getLocalName().getName());
        }
      }
    }
  }

  private static void bound(Expression lhs, Set<String> out, Set<String> otherwise) {
    if (lhs instanceof Identifier id) {
      out.add(id.getName());
      otherwise.add(id.getName());
    } else if (lhs instanceof ListExpression le) {
      for (Expression e : le.getElements()) {
        bound(e, out, otherwise);
      }
    }
  }

  private Scope functionScope(Scope parent, Closure c, List<Param> params, List<Statement> body) {
    Set<String> locals = new HashSet<>();
    for (Param p : params) {
      if (p.name != null) {
        locals.add(p.name);
      }
    }
    Map<String, DefStatement> defOnly = Map.of();
    if (body != null) {
      Map<String, List<DefStatement>> defs = new HashMap<>();
      Set<String> otherwise = new HashSet<>();
      collect(body, locals, defs, otherwise);
      for (Map.Entry<String, List<DefStatement>> e : defs.entrySet()) {
        if (e.getValue().size() != 1 || otherwise.contains(e.getKey()) || locals.contains(e.getKey())
            && paramNamed(params, e.getKey())) {
          continue;
        }
        DefStatement d = e.getValue().get(0);
        boolean constant = true;
        for (Parameter p : d.getParameters()) {
          if (p.getDefaultValue() != null && !isConstant(p.getDefaultValue())) {
            constant = false;
          }
        }
        if (constant) {
          if (defOnly.isEmpty()) {
            defOnly = new HashMap<>();
          }
          defOnly.put(e.getKey(), d);
        }
      }
    }
    return new Scope(parent, locals, c, true, defOnly);
  }

  private static boolean paramNamed(List<Param> params, String name) {
    for (Param p : params) {
      if (name.equals(p.name)) {
        return true;
      }
    }
    return false;
  }

  private Closure newClosure(Kind kind, Node site, Scope cur, int group, String name) {
    Closure c = kind == Kind.DEF ? defClosures.computeIfAbsent((DefStatement) site, k -> new Closure())
        : new Closure();
    c.kind = kind;
    c.id = closures.size() + 1;
    c.site = site;
    c.owner = innermost(cur);
    c.name = name;
    c.hoisted = kind == Kind.DEF ? DEF + c.id + "_" + name : LAMBDA + c.id;
    c.group = group;
    closures.add(c);
    return c;
  }

  private static List<Param> defParams(DefStatement d) {
    List<Param> ps = new ArrayList<>();
    for (Parameter p : d.getParameters()) {
      Identifier id = p.getIdentifier();
      PKind k = p instanceof Parameter.Mandatory ? PKind.PLAIN
          : p instanceof Parameter.Optional ? PKind.OPTIONAL
          : p instanceof Parameter.StarStar ? PKind.STARSTAR
          : id == null ? PKind.BARE_STAR : PKind.STAR;
      ps.add(new Param(k, id == null ? null : id.getName(), id, p.getDefaultValue(), p));
    }
    return ps;
  }

  private final class Analyzer extends NodeVisitor {
    Scope cur;
    int group;
    SpecException failure;

    private void fail(SpecException e) {
      if (failure == null) {
        failure = e;
      }
    }

    private void checkName(Identifier id) {
      if (isReserved(id.getName())) {
        fail(error(id, "the name '" + id.getName() + "' is reserved by the spec front-end; rename it"));
      }
    }

    @Override
    public void visit(Identifier id) {
      String n = id.getName();
      checkName(id);
      boolean crossed = false;
      for (Scope s = cur; s != null && s.parent != null; s = s.parent) {
        if (s.locals.contains(n)) {
          if (!crossed) {
            return;
          }
          DefStatement d = s.defOnly.get(n);
          if (d != null) {
            DefRef r = new DefRef(id, cur, s, d);
            defRefs.add(r);
            addEdit(id.getStartOffset(), id.getEndOffset(), null, null, r);
            return;
          }
          for (Scope u = cur; u != s; u = u.parent) {
            if (u.closure != null) {
              u.closure.captures.add(n);
            }
          }
          addEdit(id.getStartOffset(), id.getEndOffset(), null, n, null);
          return;
        }
        if (s.closure != null) {
          crossed = true;
        }
      }
    }

    private void bindTargets(Expression lhs) {
      if (lhs instanceof Identifier id) {
        checkName(id);
      } else if (lhs instanceof ListExpression le) {
        for (Expression e : le.getElements()) {
          bindTargets(e);
        }
      } else {
        visit(lhs);
      }
    }

    @Override
    public void visit(AssignmentStatement node) {
      visit(node.getRHS());
      if (node.isAugmented()) {
        visit(node.getLHS());
      } else {
        bindTargets(node.getLHS());
      }
    }

    @Override
    public void visit(ForStatement node) {
      visit(node.getCollection());
      bindTargets(node.getVars());
      visitBlock(node.getBody());
    }

    @Override
    public void visit(LoadStatement node) {
      for (LoadStatement.Binding b : node.getBindings()) {
        checkName(b.getLocalName());
      }
    }

    @Override
    public void visit(DotExpression node) {
      visit(node.getObject());
    }

    @Override
    public void visit(Comprehension node) {
      List<Comprehension.Clause> clauses = node.getClauses();
      visit(((Comprehension.For) clauses.get(0)).getIterable());
      Set<String> locals = new HashSet<>();
      for (Comprehension.Clause c : clauses) {
        if (c instanceof Comprehension.For f) {
          bound(f.getVars(), locals, new HashSet<>());
        }
      }
      Scope saved = cur;
      cur = new Scope(cur, locals, null, false, Map.of());
      for (int i = 0; i < clauses.size(); i++) {
        if (clauses.get(i) instanceof Comprehension.For f) {
          if (i > 0) {
            visit(f.getIterable());
          }
          bindTargets(f.getVars());
        } else {
          visit(((Comprehension.If) clauses.get(i)).getCondition());
        }
      }
      visit(node.getBody());
      cur = saved;
    }

    @Override
    public void visit(DefStatement node) {
      checkName(node.getIdentifier());
      List<Param> params = defParams(node);
      for (Param p : params) {
        if (p.nameNode != null) {
          checkName((Identifier) p.nameNode);
        }
        if (p.dflt != null) {
          visit(p.dflt);
        }
      }
      Closure c = null;
      if (cur.function) {
        c = newClosure(Kind.DEF, node, cur, group, node.getIdentifier().getName());
        c.params = params;
        addEdit(node.getStartOffset(), node.getEndOffset(), c, null, null);
      }
      Scope saved = cur;
      cur = functionScope(cur, c, params, node.getBody());
      visitBlock(node.getBody());
      cur = saved;
    }

    @Override
    public void visit(CallExpression node) {
      if (isStandIn(node)) {
        lambda(node);
        return;
      }
      visit(node.getFunction());
      List<Argument> args = node.getArguments();
      boolean wrap = node.getFunction() instanceof Identifier f
          && (f.getName().equals("assert_eventually") || f.getName().equals("assert_never"))
          && !args.isEmpty() && args.get(0) instanceof Argument.Positional
          && !(args.get(0).getValue() instanceof CallExpression c0 && isStandIn(c0));
      for (int i = 0; i < args.size(); i++) {
        if (i == 0 && wrap) {
          Expression e = args.get(0).getValue();
          Closure c = newClosure(Kind.WRAP, e, cur, group, "lambda");
          c.params = List.of();
          c.body = e;
          addEdit(e.getStartOffset(), e.getEndOffset(), c, null, null);
          Scope saved = cur;
          cur = new Scope(cur, Set.of(), c, true, Map.of());
          visit(e);
          cur = saved;
        } else {
          visit(args.get(i));
        }
      }
    }

    private void lambda(CallExpression node) {
      CallExpression inner = (CallExpression) node.getFunction();
      List<Param> params = new ArrayList<>();
      for (Argument a : inner.getArguments()) {
        Expression v = a.getValue();
        if (a instanceof Argument.Keyword k) {
          checkName(k.getIdentifier());
          params.add(new Param(PKind.OPTIONAL, k.getName(), k.getIdentifier(), v, a));
        } else if (v instanceof Identifier id) {
          if (a instanceof Argument.Positional) {
            checkName(id);
            params.add(new Param(PKind.PLAIN, id.getName(), id, null, a));
          } else if (a instanceof Argument.Star) {
            if (id.getName().equals(LambdaLowering.BARE_STAR)) {
              params.add(new Param(PKind.BARE_STAR, null, null, null, a));
            } else {
              checkName(id);
              params.add(new Param(PKind.STAR, id.getName(), id, null, a));
            }
          } else {
            checkName(id);
            params.add(new Param(PKind.STARSTAR, id.getName(), id, null, a));
          }
        } else {
          fail(error(a, "syntax error: invalid lambda parameter"));
          return;
        }
      }
      List<Argument> bodyArgs = node.getArguments();
      if (bodyArgs.size() != 1 || !(bodyArgs.get(0) instanceof Argument.Positional)) {
        Node at = bodyArgs.isEmpty() ? node : bodyArgs.get(bodyArgs.size() > 1 ? 1 : 0);
        fail(error(at, "syntax error: a lambda body must be a single expression"));
        return;
      }
      for (Param p : params) {
        if (p.dflt != null) {
          visit(p.dflt);
        }
      }
      Closure c = newClosure(Kind.LAMBDA, node, cur, group, "lambda");
      c.params = params;
      c.body = bodyArgs.get(0).getValue();
      addEdit(node.getStartOffset(), node.getEndOffset(), c, null, null);
      Scope saved = cur;
      cur = functionScope(cur, c, params, null);
      visit(c.body);
      cur = saved;
    }
  }

  // ---------------------------------------------------------------- emission

  private OffsetMap emit() {
    out = new OffsetMap(text.length() * 2 + 256);
    List<List<Closure>> byGroup = new ArrayList<>();
    for (int g = 0; g < groupStart.length; g++) {
      byGroup.add(new ArrayList<>());
    }
    for (Closure c : closures) {
      byGroup.get(c.group).add(c);
    }
    int pos = 0;
    for (int g = 0; g < groupStart.length; g++) {
      if (byGroup.get(g).isEmpty()) {
        continue;
      }
      emitRange(pos, groupStart[g], null);
      pos = groupStart[g];
      for (Closure c : byGroup.get(g)) {
        hoist(c);
      }
    }
    emitRange(pos, text.length(), null);
    return out;
  }

  private int firstEditAt(int offset) {
    int lo = 0;
    int hi = edits.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (edits.get(mid).start < offset) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private void emitRange(int from, int to, Edit skip) {
    int pos = from;
    for (int k = firstEditAt(from); k < edits.size(); k++) {
      Edit e = edits.get(k);
      if (e.start >= to) {
        break;
      }
      if (e.start < pos || e == skip) {
        continue;
      }
      out.copy(text, pos, e.start);
      if (e.closure != null) {
        site(e.closure);
      } else if (e.rename != null) {
        out.synth(CAPTURE + e.rename, e.start);
      } else {
        Closure d = defClosures.get(e.ref.def);
        bindCall(d, innermost(e.ref.from), e.start, false);
      }
      pos = e.end;
    }
    out.copy(text, pos, to);
  }

  /** Emits the value expression that creates closure {@code c} where {@code ctx} is innermost. */
  private void bindCall(Closure c, Closure ctx, int anchor, boolean withDefaults) {
    out.synth(BIND + "(" + c.hoisted, anchor);
    for (String x : c.captures) {
      boolean renamed = ctx != null && ctx.captures.contains(x);
      out.synth(", " + CAPTURE + x + "=" + (renamed ? CAPTURE + x : x), anchor);
    }
    if (withDefaults) {
      int ordinary = 0;
      for (Param p : c.params) {
        if (p.kind == PKind.STAR || p.kind == PKind.BARE_STAR || p.kind == PKind.STARSTAR) {
          ordinary = -1;
        }
        if (p.dflt != null && !isConstant(p.dflt)) {
          out.synth(", " + DEFAULT + (ordinary < 0 ? "k" : String.valueOf(ordinary)) + "_" + p.name + "=",
              p.dflt.getStartOffset());
          emitRange(p.dflt.getStartOffset(), p.dflt.getEndOffset(), null);
        }
        if (ordinary >= 0) {
          ordinary++;
        }
      }
    }
    out.synth(")", anchor);
  }

  private void site(Closure c) {
    int anchor = c.site.getStartOffset();
    if (c.kind == Kind.DEF) {
      DefStatement d = (DefStatement) c.site;
      out.synth(d.getIdentifier().getName() + " = ", anchor);
      bindCall(c, c.owner, anchor, true);
      int lines = 0;
      for (int i = d.getStartOffset(); i < d.getEndOffset(); i++) {
        if (text.charAt(i) == '\n') {
          lines++;
        }
      }
      out.synth("\n".repeat(lines), d.getEndOffset());
    } else {
      bindCall(c, c.owner, anchor, true);
    }
  }

  private void hoist(Closure c) {
    int anchor = c.site.getStartOffset();
    out.synth("def " + c.hoisted + "(", anchor);
    boolean first = true;
    boolean star = false;
    boolean capturesDone = c.captures.isEmpty();
    for (Param p : c.params) {
      if (p.kind == PKind.STARSTAR && !capturesDone) {
        first = captures(c, first, star, anchor);
        capturesDone = true;
      }
      if (!first) {
        out.synth(", ", p.node.getStartOffset());
      }
      first = false;
      switch (p.kind) {
        case PLAIN -> out.copy(text, p.nameNode.getStartOffset(), p.nameNode.getEndOffset());
        case OPTIONAL -> {
          out.copy(text, p.nameNode.getStartOffset(), p.nameNode.getEndOffset());
          out.synth("=", p.dflt.getStartOffset());
          if (isConstant(p.dflt)) {
            emitRange(p.dflt.getStartOffset(), p.dflt.getEndOffset(), null);
          } else {
            out.synth("None", p.dflt.getStartOffset());
          }
        }
        case STAR -> {
          out.synth("*", p.node.getStartOffset());
          out.copy(text, p.nameNode.getStartOffset(), p.nameNode.getEndOffset());
          star = true;
        }
        case BARE_STAR -> {
          out.synth("*", p.node.getStartOffset());
          star = true;
        }
        case STARSTAR -> {
          out.synth("**", p.node.getStartOffset());
          out.copy(text, p.nameNode.getStartOffset(), p.nameNode.getEndOffset());
        }
      }
    }
    if (!capturesDone) {
      captures(c, first, star, anchor);
    }
    if (c.kind == Kind.DEF) {
      DefStatement d = (DefStatement) c.site;
      int colon = colonOf(d);
      out.synth(")", colon);
      emitRange(colon, d.getEndOffset(), null);
      out.synth("\n", d.getEndOffset());
    } else {
      out.synth("): return (", c.body.getStartOffset());
      emitRange(c.body.getStartOffset(), c.body.getEndOffset(), c.edit);
      out.synth(")\n", c.body.getEndOffset());
    }
  }

  private boolean captures(Closure c, boolean first, boolean star, int anchor) {
    if (c.captures.isEmpty()) {
      return first;
    }
    if (!star) {
      out.synth(first ? "*" : ", *", anchor);
      first = false;
    }
    for (String x : c.captures) {
      out.synth((first ? "" : ", ") + CAPTURE + x, anchor);
      first = false;
    }
    return first;
  }

  /** Offset of the ':' ending a def header. */
  private int colonOf(DefStatement d) {
    List<Parameter> ps = d.getParameters();
    int i = ps.isEmpty() ? d.getIdentifier().getEndOffset() : ps.get(ps.size() - 1).getEndOffset();
    while (i < text.length()) {
      char ch = text.charAt(i);
      if (ch == ':') {
        return i;
      }
      if (ch == '#') {
        while (i < text.length() && text.charAt(i) != '\n') {
          i++;
        }
      } else {
        i++;
      }
    }
    return d.getBody().get(0).getStartOffset();
  }
}
