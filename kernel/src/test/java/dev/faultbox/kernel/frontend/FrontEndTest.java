package dev.faultbox.kernel.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.kernel.SpecException;
import java.util.List;
import net.starlark.java.eval.Module;
import net.starlark.java.eval.Starlark;
import org.junit.jupiter.api.Test;

class FrontEndTest extends FrontEndTestSupport {

  // ------------------------------------------------------------ lambdas

  @Test
  void plainSourceIsUntouched() throws Exception {
    String src = "x = 1\ndef f(a):\n    return a + x\ny = f(2)\n";
    Translation t = translate(src);
    assertThat(t.source()).isEqualTo(src);
    assertThat(t.rewritten()).isFalse();
    assertThat(global(src, "y")).isEqualTo("3");
  }

  @Test
  void topLevelLambda() throws Exception {
    assertThat(global("f = lambda x: x * 2\ny = f(21)\n", "y")).isEqualTo("42");
  }

  @Test
  void lambdaValueLooksLikeAFunction() throws Exception {
    Module m = run("f = lambda: 1\nt = type(f)\nr = str(f)\n");
    assertThat(m.getGlobal("t")).isEqualTo("function");
    assertThat(m.getGlobal("r")).isEqualTo("<function lambda>");
  }

  @Test
  void lambdasInDictValues() throws Exception {
    String src = """
        ops = {
            "add": lambda a, b: a + b,
            "neg": lambda a: -a, "const": lambda: 7,
        }
        r = [ops["add"](1, 2), ops["neg"](5), ops["const"]()]
        """;
    assertThat(global(src, "r")).isEqualTo("[3, -5, 7]");
  }

  @Test
  void lambdaAsCallKeywordArgument() throws Exception {
    String src = """
        def apply(x, fn = None, then = None):
            return then(fn(x))
        r = apply(3, fn = lambda v: v + 1, then=lambda v: v * 10)
        s = sorted(["bb", "a", "ccc"], key = lambda s: -len(s))
        """;
    Module m = run(src);
    assertThat(Starlark.repr(m.getGlobal("r"))).isEqualTo("40");
    assertThat(Starlark.repr(m.getGlobal("s"))).isEqualTo("[\"ccc\", \"bb\", \"a\"]");
  }

  @Test
  void comprehensionVariableIsCapturedByValue() throws Exception {
    String src = """
        fs = [lambda: i for i in range(3)]
        r = [f() for f in fs]
        d = {k: lambda: k * 2 for k in ["a", "b"]}
        s = d["a"]() + d["b"]()
        def g(n):
            return [lambda: (i, j, n) for i in range(2) for j in range(2) if i != j]
        t = [f() for f in g(9)]
        """;
    Module m = run(src);
    assertThat(Starlark.repr(m.getGlobal("r"))).isEqualTo("[0, 1, 2]");
    assertThat(m.getGlobal("s")).isEqualTo("aabb");
    assertThat(Starlark.repr(m.getGlobal("t"))).isEqualTo("[(0, 1, 9), (1, 0, 9)]");
  }

  @Test
  void loopVariableInFunctionIsCapturedByValue() throws Exception {
    String src = """
        def make():
            fs = []
            for i in range(3):
                fs.append(lambda: i)
            return [f() for f in fs]
        r = make()
        """;
    assertThat(global(src, "r")).isEqualTo("[0, 1, 2]");
  }

  @Test
  void defaultArguments() throws Exception {
    String src = """
        G = 10
        f = lambda x=1: x
        g = lambda x=G, y="s": (x, y)
        def h():
            return lambda x = G + 1: x
        def later():
            return lambda x = LATE: x
        LATE = 99
        fs = [lambda x=i: x for i in range(3)]
        r = [f(), f(5), g(), g(y="t"), g(1, 2), h()(), h()(x=0), later()(), [f() for f in fs], fs[1](7)]
        """;
    assertThat(global(src, "r"))
        .isEqualTo("[1, 5, (10, \"s\"), (10, \"t\"), (1, 2), 11, 0, 99, [0, 1, 2], 7]");
  }

  @Test
  void defaultReadingLocalAndKeywordOnlyDefaults() throws Exception {
    String src = """
        def make(base):
            return lambda a, *rest, k=base * 2, **kw: (a, rest, k, kw)
        f = make(5)
        r = [f(1), f(1, 2, 3), f(1, k=0), f(1, z=3)]
        """;
    assertThat(global(src, "r"))
        .isEqualTo("[(1, (), 10, {}), (1, (2, 3), 10, {}), (1, (), 0, {}), (1, (), 10, {\"z\": 3})]");
  }

  @Test
  void nestedLambdas() throws Exception {
    String src = """
        add = lambda a: lambda b: a + b
        r = add(1)(2)
        def curry3():
            return lambda a: lambda b: lambda c: a * 100 + b * 10 + c
        s = curry3()(1)(2)(3)
        pair = lambda a: lambda b: a, 5
        t = pair[1]
        u = (lambda x=lambda: 4: x())()
        """;
    Module m = run(src);
    assertThat(Starlark.repr(m.getGlobal("r"))).isEqualTo("3");
    assertThat(Starlark.repr(m.getGlobal("s"))).isEqualTo("123");
    assertThat(Starlark.repr(m.getGlobal("t"))).isEqualTo("5");
    assertThat(Starlark.repr(m.getGlobal("u"))).isEqualTo("4");
  }

  @Test
  void capturesFunctionLocalsAndParameters() throws Exception {
    String src = """
        def make(n, *args, **kwargs):
            local = n * 2
            items = [1]
            f = lambda x: (x, n, local, args, kwargs, items)
            items.append(2)
            return f
        r = make(1, 2, k = 3)(0)
        """;
    assertThat(global(src, "r")).isEqualTo("(0, 1, 2, (2,), {\"k\": 3}, [1, 2])");
  }

  @Test
  void captureNamesDoNotClashWithKwargs() throws Exception {
    String src = """
        def make(x):
            return lambda **kw: (x, kw)
        r = make(1)(x = 2, y = 3)
        """;
    assertThat(global(src, "r")).isEqualTo("(1, {\"x\": 2, \"y\": 3})");
  }

  @Test
  void multiLineLambdaBodiesInsideBrackets() throws Exception {
    String src = """
        def make(k):
            return {
                "f": lambda a,
                            b: (a +
                                b + # a comment
                                k),
                "g": lambda: [
                    k,
                    k + 1,
                ],
            }
        d = make(10)
        r = (d["f"](1, 2), d["g"]())
        s = lambda: \\
            5
        t = s()
        """;
    Module m = run(src);
    assertThat(Starlark.repr(m.getGlobal("r"))).isEqualTo("(13, [10, 11])");
    assertThat(Starlark.repr(m.getGlobal("t"))).isEqualTo("5");
  }

  @Test
  void ifElseInsideLambdaBody() throws Exception {
    String src = """
        sign = lambda x: "neg" if x < 0 else "zero" if x == 0 else "pos"
        r = [sign(-1), sign(0), sign(3)]
        fs = [lambda: "a" if i else "b" for i in range(2)]
        s = [f() for f in fs]
        """;
    Module m = run(src);
    assertThat(Starlark.repr(m.getGlobal("r"))).isEqualTo("[\"neg\", \"zero\", \"pos\"]");
    assertThat(Starlark.repr(m.getGlobal("s"))).isEqualTo("[\"b\", \"a\"]");
  }

  @Test
  void starArgsAndKwargs() throws Exception {
    String src = """
        f = lambda *args, **kwargs: (args, kwargs)
        g = lambda a, *, b: a - b
        r = [f(1, 2, x = 3), g(5, b = 2)]
        """;
    assertThat(global(src, "r")).isEqualTo("[((1, 2), {\"x\": 3}), 3]");
  }

  @Test
  void bodyWithDictAndListLiterals() throws Exception {
    String src = """
        def make(v):
            return lambda: {"a": [v, 2, 3], "b": (v, v)}
        f = lambda x: [x, {"k": x, "j": [1, 2]}], 0
        r = make(1)()
        s = f[0](9)
        """;
    Module m = run(src);
    assertThat(Starlark.repr(m.getGlobal("r"))).isEqualTo("{\"a\": [1, 2, 3], \"b\": (1, 1)}");
    assertThat(Starlark.repr(m.getGlobal("s"))).isEqualTo("[9, {\"k\": 9, \"j\": [1, 2]}]");
  }

  @Test
  void stringsAndCommentsMentioningLambdaAreUntouched() throws Exception {
    String src = """
        # lambda x: x in a comment
        a = "lambda x: x"
        b = 'lambda: 1'
        c = \"\"\"multi
        lambda y: y, ( ] \"\"\"
        d = r"lambda\\" z: z"
        e = '''lambda ''' + r'\\lambda'
        f = lambda: "lambda: 'x'"  # lambda
        g = f()
        h = \"\"\"
        \"\"\" + (lambda: 'ok')()
        """;
    Module m = run(src);
    assertThat(m.getGlobal("a")).isEqualTo("lambda x: x");
    assertThat(m.getGlobal("b")).isEqualTo("lambda: 1");
    assertThat(m.getGlobal("c")).isEqualTo("multi\nlambda y: y, ( ] ");
    assertThat(m.getGlobal("d")).isEqualTo("lambda\\\" z: z");
    assertThat(m.getGlobal("e")).isEqualTo("lambda \\lambda");
    assertThat(m.getGlobal("g")).isEqualTo("lambda: 'x'");
    assertThat(m.getGlobal("h")).isEqualTo("\nok");
    assertThat(last.source()).contains("# lambda x: x in a comment", "\"lambda x: x\"", "r\"lambda\\\" z: z\"");
  }

  @Test
  void lambdaAfterSemicolonAndInSubscript() throws Exception {
    String src = """
        x = 1; f = lambda: x + 1
        y = [lambda: 1, lambda: 2][1]()
        """;
    Module m = run(src);
    assertThat(Starlark.repr(Starlark.fastcall(
        new net.starlark.java.eval.StarlarkThread(net.starlark.java.eval.Mutability.create(), FrontEnd.semantics()),
        m.getGlobal("f"), new Object[0], new Object[0]))).isEqualTo("2");
    assertThat(Starlark.repr(m.getGlobal("y"))).isEqualTo("2");
  }

  @Test
  void lambdaReferencingGlobalsDefinedLater() throws Exception {
    String src = """
        def make():
            return lambda: helper() + LIMIT
        def helper():
            return 1
        LIMIT = 10
        r = make()()
        """;
    assertThat(global(src, "r")).isEqualTo("11");
  }

  // ------------------------------------------------------------ nested def

  @Test
  void nestedDefClosesOverOuterParameter() throws Exception {
    String src = """
        def outer(n):
            def inner(x):
                return x + n
            return inner(1), inner
        r = outer(10)
        s = r[1](5)
        t = str(r[1])
        """;
    Module m = run(src);
    assertThat(Starlark.repr(m.getGlobal("s"))).isEqualTo("15");
    assertThat(Starlark.repr(m.getGlobal("r"))).startsWith("(11, <function inner");
    assertThat(m.getGlobal("t")).isEqualTo("<function inner>");
  }

  @Test
  void nestedDefInsideNestedDef() throws Exception {
    String src = """
        def a(x):
            y = x + 1
            def b(z):
                w = z * 2
                def c(v):
                    return (x, y, z, w, v)
                return c
            return b
        r = a(1)(3)(7)
        """;
    assertThat(global(src, "r")).isEqualTo("(1, 2, 3, 6, 7)");
  }

  @Test
  void nestedDefRecursiveAndReturned() throws Exception {
    String src = """
        def make(base):
            def fact(k):
                if k <= 1:
                    return base
                return k * fact(k - 1)
            return fact
        r = make(1)(5)
        s = make(2)(3)
        """;
    Module m = run(src);
    assertThat(Starlark.repr(m.getGlobal("r"))).isEqualTo("120");
    assertThat(Starlark.repr(m.getGlobal("s"))).isEqualTo("12");
  }

  @Test
  void nestedDefsCallingSiblingsDefinedLater() throws Exception {
    String src = """
        def outer(n):
            def is_even(k):
                return True if k == 0 else is_odd(k - 1)
            def is_odd(k):
                return False if k == 0 else is_even(k - 1)
            check = lambda: is_even(n)
            return check()
        r = [outer(4), outer(7)]
        """;
    assertThat(global(src, "r")).isEqualTo("[True, False]");
  }

  @Test
  void nestedDefWithDefaultsAndKeywordOnly() throws Exception {
    String src = """
        def outer(p):
            def inner(a, b = p, *rest, c = 3, **kw):
                return (a, b, rest, c, kw, p)
            return inner
        f = outer(2)
        r = [f(1), f(1, 5, 6, c = 0, d = 1)]
        """;
    assertThat(global(src, "r"))
        .isEqualTo("[(1, 2, (), 3, {}, 2), (1, 5, (6,), 0, {\"d\": 1}, 2)]");
  }

  @Test
  void nestedDefOnOneLineAndInsideIf() throws Exception {
    String src = """
        def outer(flag):
            if flag:
                def pick(): return "yes"
            else:
                def pick(): return "no"
            return pick()
        r = [outer(True), outer(False)]
        """;
    assertThat(global(src, "r")).isEqualTo("[\"yes\", \"no\"]");
  }

  @Test
  void lambdaInsideNestedDefCapturesBothLevels() throws Exception {
    String src = """
        def outer(a):
            def mid(b):
                return [lambda c: (a, b, c, i) for i in range(2)]
            return mid
        r = [f(0) for f in outer(1)(2)]
        """;
    assertThat(global(src, "r")).isEqualTo("[(1, 2, 0, 0), (1, 2, 0, 1)]");
  }

  @Test
  void closuresCanBeLoadedAcrossFilesAsValues() throws Exception {
    // one registry, two files: errors in both map back
    translate("lib.star", "def make(n):\n    return lambda: n\n");
    assertThat(translate("spec.star", "x = lambda: 1\n").source()).contains("__lambda_");
  }

  // ------------------------------------------------------------ assert_eventually / assert_never

  @Test
  void assertEventuallyWrapsItsCondition() throws Exception {
    String src = """
        counter = [0]
        def events():
            counter[0] += 1
            return counter[0]
        def check(service):
            assert_eventually(events() >= 3, within = "1s")
        check("statsd")
        """;
    run(src);
    assertThat(asserted).hasSize(1);
    assertThat(asserted.get(0)).isInstanceOf(net.starlark.java.eval.StarlarkCallable.class);
    assertThat(Starlark.type(asserted.get(0))).isEqualTo("function");
    assertThat(assertedResults.get(0).toString()).isEqualTo("[false, false, true]");
  }

  @Test
  void assertEventuallyWithMethodChainAndKeywords() throws Exception {
    String src = """
        def where(service = None, op = None):
            return struct_count
        struct_count = [1, 2, 3]
        def events():
            return {"where": where}
        def test(min_count):
            assert_eventually(len(events()["where"](service = "statsd", op = "recv")) >= min_count)
            assert_never(len(events()["where"](service = "x")) > min_count, within="1s")
        test(3)
        """;
    run(src);
    assertThat(assertedResults.toString()).isEqualTo("[[true, true, true], [false, false, false]]");
  }

  @Test
  void assertEventuallyKeepsExplicitLambdaAndWrapsFunctionName() throws Exception {
    String src = """
        def ok():
            return True
        def test():
            assert_eventually(lambda: 1 + 1 == 2)
            assert_eventually(ok)
        test()
        """;
    run(src);
    assertThat(assertedResults.toString()).isEqualTo("[[true, true, true], [true, true, true]]");
    assertThat(last.source()).containsOnlyOnce("assert_eventually(__bind(__lambda_1))");
  }

  @Test
  void assertEventuallyAtTopLevelAndNested() throws Exception {
    String src = """
        x = [0]
        assert_never(x[0] > 0)
        def f(v):
            return [assert_eventually(v + i == v + i) for i in range(2)]
        f(1)
        """;
    run(src);
    assertThat(assertedResults).hasSize(3);
  }

  // ------------------------------------------------------------ top-level statements

  @Test
  void topLevelForIsAnError() {
    assertThatThrownBy(() -> translate("x = 1\n\nfor i in range(3):\n    pass\n"))
        .isInstanceOf(SpecException.class)
        .satisfies(e -> {
          SpecException s = (SpecException) e;
          assertThat(s.location()).isEqualTo("spec.star:3:1");
          assertThat(s.reason()).startsWith("top-level 'for' is not allowed in Starlark specs; move it into a"
              + " function (def setup(): ...) or use a comprehension");
        });
  }

  @Test
  void topLevelIfIsAnErrorEvenAfterLambdas() {
    assertThatThrownBy(() -> translate("f = lambda: 1\ng = lambda: 2\nif f():\n    pass\n"))
        .isInstanceOf(SpecException.class)
        .satisfies(e -> {
          SpecException s = (SpecException) e;
          assertThat(s.location()).isEqualTo("spec.star:3:1");
          assertThat(s.reason()).contains("top-level 'if' is not allowed").contains("def setup()");
        });
  }

  // ------------------------------------------------------------ syntax errors

  static SpecException specError(org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
    try {
      c.call();
    } catch (SpecException e) {
      return e;
    } catch (Throwable t) {
      throw new AssertionError("expected SpecException, got " + t, t);
    }
    throw new AssertionError("expected SpecException");
  }

  @Test
  void syntaxErrorWithoutLambdas() {
    SpecException e = specError(() -> translate("x = 1\ny = (2,\nz = 3 +\n"));
    assertThat(e.location()).startsWith("spec.star:");
    assertThat(e.reason()).contains("syntax error");
  }

  @Test
  void syntaxErrorAfterHoistedLambdaPointsAtOriginalLine() {
    String src = "def f(a):\n    g = lambda x: x + a\n    return g\nh = f(1)\nk = = 2\n";
    SpecException e = specError(() -> run(src));
    assertThat(e.location()).isEqualTo("spec.star:5:5");
    assertThat(e.reason()).contains("syntax error at '='");
  }

  @Test
  void syntaxErrorInsideLambdaBody() {
    SpecException e = specError(() -> translate("x = 1\nf = lambda a: a +* 2\n"));
    assertThat(e.location()).isEqualTo("spec.star:2:18");
  }

  @Test
  void lambdaWithoutColonOrBody() {
    SpecException e = specError(() -> translate("f = [lambda x]\n"));
    assertThat(e.location()).isEqualTo("spec.star:1:14");
    assertThat(e.reason()).contains("expected ':'");
    e = specError(() -> translate("x = 0\nf = foo(lambda x:)\n"));
    assertThat(e.location()).isEqualTo("spec.star:2:18");
    assertThat(e.reason()).contains("syntax error at ')'");
  }

  @Test
  void invalidLambdaParameter() {
    SpecException e = specError(() -> translate("f = lambda 1: 2\n"));
    assertThat(e.location()).isEqualTo("spec.star:1:12");
    assertThat(e.reason()).contains("invalid lambda parameter");
    e = specError(() -> translate("f = lambda: x = 1\n"));
    assertThat(e.location()).isEqualTo("spec.star:1:13");
  }

  @Test
  void resolveErrorsMapToOriginalPosition() {
    String src = "def f():\n    return lambda x: x + undefined_name\n";
    SpecException e = specError(() -> run(src));
    assertThat(e.location()).isEqualTo("spec.star:2:26");
    assertThat(e.reason()).contains("name 'undefined_name' is not defined").doesNotContain("__");
    e = specError(() -> run("def f(a):\n    def g(x, x):\n        return a\n    return g\n"));
    assertThat(e.location()).isEqualTo("spec.star:2:14");
    assertThat(e.reason()).contains("duplicate parameter: x");
  }

  @Test
  void reservedNamesAreRejected() {
    SpecException e = specError(() -> translate("__c_x = 1\n"));
    assertThat(e.location()).isEqualTo("spec.star:1:1");
    assertThat(e.reason()).contains("reserved");
  }

  // ------------------------------------------------------------ runtime errors

  void assertClean(SpecException e) {
    assertThat(e.getMessage()).doesNotContain("__lambda", "__c_", "__bind", "__def_", "__d_");
    assertThat(lastTraceback).doesNotContain("__lambda", "__c_", "__bind", "__def_", "__d_");
  }

  @Test
  void failInsideLambdaReportsLambdaLine() {
    String src = """
        def setup():
            x = 1
            return x

        def build():
            cb = lambda: fail("boom")
            return cb
        r = build()()
        """;
    SpecException e = specError(() -> run(src));
    assertThat(e.location()).isEqualTo("spec.star:6:22"); // the call's '(' as natively
    assertThat(e.reason()).isEqualTo("boom");
    assertClean(e);
    assertThat(lastTraceback)
        .contains("File \"spec.star\", line 8, column ")
        .contains("File \"spec.star\", line 6, column 22, in lambda")
        .contains("cb = lambda: fail(\"boom\")")
        .endsWith("Error in fail: boom");
  }

  @Test
  void divisionByZeroInsideLambdaWithCaptures() {
    String src = "def f(n):\n    g = lambda d: n // d\n    return g(0)\nf(1)\n";
    SpecException e = specError(() -> run(src));
    assertThat(e.location()).isEqualTo("spec.star:2:21"); // the // operator
    assertThat(e.reason()).contains("division by zero");
    assertClean(e);
    assertThat(lastTraceback).contains("in f").contains("in lambda").contains("line 3, column ");
  }

  @Test
  void wrongArityCallingALambda() {
    String src = "def f(n):\n    g = lambda a, b=n: a\n    return g(1, 2, 3)\nf(1)\n";
    SpecException e = specError(() -> run(src));
    assertThat(e.location()).startsWith("spec.star:2:");
    assertThat(e.reason()).isEqualTo("lambda() accepts no more than 2 positional arguments but got 3");
    assertClean(e);
    SpecException e2 = specError(() -> run("f = lambda a: a\nf()\n"));
    assertThat(e2.reason()).isEqualTo("lambda() missing 1 required positional argument: a");
  }

  @Test
  void unknownNameInsideLambdaAtRuntime() {
    String src = "def f():\n    g = lambda: later_global + 1\n    return g()\nr = f()\nlater_global = 1\n";
    SpecException e = specError(() -> run(src));
    assertThat(e.location()).isEqualTo("spec.star:2:17");
    assertThat(e.reason()).contains("later_global");
    assertClean(e);
  }

  @Test
  void errorsInsideNestedDefs() {
    String src = """
        def outer(n):
            def inner(x):
                return x // n
            return inner(1)
        outer(0)
        """;
    SpecException e = specError(() -> run(src));
    assertThat(e.location()).isEqualTo("spec.star:3:18");
    assertClean(e);
    assertThat(lastTraceback).contains("in inner").contains("in outer");
    SpecException e2 = specError(() -> run("def o(n):\n    def inner(a):\n        return a\n    return inner()\no(1)\n"));
    assertThat(e2.reason()).isEqualTo("inner() missing 1 required positional argument: a");
    assertClean(e2);
  }

  @Test
  void captureAssignedAfterCreationFailsAtTheSite() {
    String src = "def f():\n    g = lambda: x\n    x = 1\n    return g()\nf()\n";
    SpecException e = specError(() -> run(src));
    assertThat(e.location()).isEqualTo("spec.star:2:9");
    assertThat(e.reason()).contains("local variable 'x' is referenced before assignment");
    assertClean(e);
  }

  @Test
  void errorInLoadedStyleSecondFileMapsToThatFile() throws Exception {
    run("lib.star", "def make(n):\n    return lambda: 1 // n\nf = make(0)\n");
    SpecException e = specError(() -> run("spec.star", "x = 1\ny = lambda: fail('no')\ny()\n"));
    assertThat(e.location()).isEqualTo("spec.star:2:17");
  }

  @Test
  void hiddenGlobals() throws Exception {
    Module m = run("f = lambda: 1\ndef o():\n    def i():\n        return 1\n    return i\n");
    List<String> visible = m.getGlobals().keySet().stream().filter(n -> !FrontEnd.isHidden(n)).toList();
    assertThat(visible).containsExactlyInAnyOrder("f", "o");
    assertThat(FrontEnd.isHidden("__bind")).isTrue();
    assertThat(FrontEnd.isHidden("f")).isFalse();
  }

  // ------------------------------------------------------------ cost

  @Test
  void largeSpecTranslatesQuickly() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 112; i++) {
      sb.append("def setup_").append(i).append("(n, items):\n");
      sb.append("    base = n * 2\n");
      sb.append("    table = {\n");
      for (int j = 0; j < 5; j++) {
        sb.append("        \"k").append(j).append("\": lambda x, y=").append(j).append(": x + y + base + n,\n");
      }
      sb.append("    }\n");
      sb.append("    fs = [lambda: i + base for i in items]\n");
      sb.append("    def helper(v):\n        return lambda: v + base\n");
      sb.append("    assert_never(base < 0, within = \"1s\")\n");
      sb.append("    return table, fs, helper\n\n");
      sb.append("# a comment with lambda in it\n");
      sb.append("VALUE_").append(i).append(" = \"lambda: not code\"\n\n");
    }
    String src = sb.toString();
    assertThat(src.lines().count()).isGreaterThan(1900);
    for (int w = 0; w < 5; w++) {
      new FrontEnd().translate("big.star", src);
    }
    long t0 = System.nanoTime();
    Translation t = new FrontEnd().translate("big.star", src);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(t.closures()).isGreaterThanOrEqualTo(700);
    System.out.println("translated " + src.lines().count() + " lines, " + t.closures() + " closures in " + ms + " ms");
    assertThat(ms).isLessThan(1000);
    Module m = run("big.star", src);
    assertThat(m.getGlobal("setup_7")).isNotNull();
  }

  // ------------------------------------------------------------ more edge cases

  @Test
  void resolveErrorOnLineAfterHoistedCode() {
    String src = """
        def a(n):
            f = lambda x: x + n
            g = lambda: [lambda: n]
            return f, g

        def b():
            return undefined_thing
        """;
    SpecException e = specError(() -> run(src));
    assertThat(e.location()).isEqualTo("spec.star:7:12");
    assertThat(e.reason()).contains("name 'undefined_thing' is not defined");
  }

  @Test
  void suggestionsNeverShowFrontEndNames() {
    SpecException e = specError(() -> run("def f(count):\n    return lambda: count + countt\n"));
    assertThat(e.location()).isEqualTo("spec.star:2:28");
    assertThat(e.reason()).startsWith("name 'countt' is not defined").doesNotContain("__");
    e = specError(() -> run("def f(counter):\n    return lambda: counter + countr\n"));
    assertThat(e.reason()).startsWith("name 'countr' is not defined").doesNotContain("__");
    e = specError(() -> run("def f(count):\n    return lambda: countt\n"));
    assertThat(e.reason()).startsWith("name 'countt' is not defined").doesNotContain("__");
  }

  @Test
  void loadStatementsStayFirst() throws Exception {
    Translation t = translate("load(\"lib.star\", \"helper\")\nf = lambda: helper()\n");
    assertThat(t.source()).startsWith("load(");
    fe.compile(t, newModule());
  }

  @Test
  void crlfLineEndings() throws Exception {
    String src = "def f(n):\r\n  g = lambda: n + 1\r\n  return g()\r\nr = f(1)\r\n";
    assertThat(global(src, "r")).isEqualTo("2");
  }

  @Test
  void nonConstantDefaultsAreEvaluatedAtCreation() throws Exception {
    String src = """
        def make(v):
            return lambda t=(v, [v]), *, k=len([v, v]): (t, k)
        f = make(3)
        r = [f(), f(1), f(k=9)]
        g = lambda acc=[]: acc
        s = g() == g()
        """;
    Module m = run(src);
    assertThat(Starlark.repr(m.getGlobal("r"))).isEqualTo("[((3, [3]), 2), (1, 2), ((3, [3]), 9)]");
    assertThat(Starlark.repr(m.getGlobal("s"))).isEqualTo("True");
  }

  @Test
  void bareStarWithCaptures() throws Exception {
    String src = """
        def make(n):
            return lambda a, *, b = 1, c: (a, b, c, n)
        r = make(0)(1, c = 3)
        """;
    assertThat(global(src, "r")).isEqualTo("(1, 1, 3, 0)");
  }

  @Test
  void lambdaInsideNestedDefDefault() throws Exception {
    String src = """
        def outer(n):
            def inner(f = lambda: n * 2):
                return f()
            return inner()
        r = outer(4)
        """;
    assertThat(global(src, "r")).isEqualTo("8");
  }

  @Test
  void errorInsideLambdaCalledByBuiltin() {
    String src = "def f(xs):\n    return sorted(xs, key = lambda x: 1 // x)\nf([1, 0])\n";
    SpecException e = specError(() -> run(src));
    assertThat(e.location()).isEqualTo("spec.star:2:41");
    assertClean(e);
    assertThat(lastTraceback).contains("in sorted").contains("in lambda");
  }

  @Test
  void unterminatedStringAfterLambda() {
    SpecException e = specError(() -> translate("f = lambda: 1\ns = \"abc\n"));
    assertThat(e.location()).isEqualTo("spec.star:2:5");
  }

  @Test
  void closureIsUsableAsDictKeyAndComparable() throws Exception {
    Module m = run("f = lambda: 1\nd = {f: 1}\nr = d[f]\ns = f == f\n");
    assertThat(Starlark.repr(m.getGlobal("r"))).isEqualTo("1");
    assertThat(Starlark.repr(m.getGlobal("s"))).isEqualTo("True");
  }

  @Test
  void capturedValueIsTakenAtCreation() throws Exception {
    String src = """
        def f():
            x = 1
            g = lambda: x
            x = 2
            return g()
        r = f()
        """;
    assertThat(global(src, "r")).isEqualTo("1");
  }

  @Test
  void deeplyNestedLambdasInParameters() throws Exception {
    String src = "f = lambda g=lambda h=lambda: 3: h(): g()\nr = f()\n";
    assertThat(global(src, "r")).isEqualTo("3");
  }

  @Test
  void assertEventuallyExampleFromTheSpecLanguage() throws Exception {
    Translation t = translate("""
        def test_statsd():
            assert_eventually(events().where(service = "statsd", op = "recv").count() >= 3)
        """);
    assertThat(t.source())
        .contains("assert_eventually(__bind(__lambda_1))")
        .contains("def __lambda_1(): return (events().where(service = \"statsd\", op = \"recv\").count() >= 3)");
  }

  @Test
  void resolveErrorInNestedDef() {
    SpecException e = specError(() -> run("x = lambda: 1\ndef o():\n    def i():\n        return nope\n    return i\n"));
    assertThat(e.location()).isEqualTo("spec.star:4:16");
    assertThat(e.reason()).contains("name 'nope' is not defined");
  }

  @Test
  void earlierSyntaxErrorWinsOverMalformedLambda() {
    SpecException e = specError(() -> translate("x = (1 +\ny = 2\nf = lambda x\n"));
    assertThat(e.location()).startsWith("spec.star:2:");
  }

  @Test
  void syntaxErrorAtSyntheticTokenNamesTheUsersToken() {
    SpecException e = specError(() -> translate("x = 1\nf = lambda a=: a\n"));
    assertThat(e.location()).isEqualTo("spec.star:2:14");
    assertThat(e.reason()).startsWith("syntax error at ':'").doesNotContain("__");
  }
}
