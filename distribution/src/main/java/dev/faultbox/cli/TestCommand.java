package dev.faultbox.cli;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.runner.Reports;
import dev.faultbox.kernel.runner.TestResult;
import dev.faultbox.kernel.runner.TestRunner;
import dev.faultbox.kernel.runner.Warning;
import dev.faultbox.kernel.spec.SpecSession;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "test", mixinStandardHelpOptions = true,
    description = "Run the spec's test_* functions, each against freshly started mocks.",
    footer = {"", "Exit codes: 0 all passed, 1 load or usage error or no test matched, 2 a test failed (or, with --strict, a warning)."})
final class TestCommand implements Callable<Integer> {
  enum Format { text, json }

  @Mixin SpecOptions specOptions;

  @Option(names = "--test", paramLabel = "PATTERN",
      description = "Run only tests whose name matches: exact, without the test_ prefix, a glob (test_http_*), "
          + "~REGEX (found anywhere in the name), or matrix (every fault_matrix cell).")
  String filter;

  @Option(names = "--strict",
      description = "Warnings fail the run: a test that evaluated no assertion fails, and so does a run with an interface no test shows working.")
  boolean strict;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
      description = "text (default) or json: the JSON report on stdout, progress on stderr.")
  Format format;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "3m",
      description = "How long one test may run before it is interrupted and failed (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Spec picocli.CommandLine.Model.CommandSpec command;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    PrintWriter err = command.commandLine().getErr();
    boolean json = format == Format.json;
    PrintWriter human = json ? err : out;
    PrintStream printTarget = json ? System.err : System.out;
    long start = System.nanoTime();
    try (SpecSession session = specOptions.load(printTarget)) {
      TestRunner runner = new TestRunner(session, SpecOptions.duration("--timeout", timeout), strict);
      List<String> names = runner.select(filter);
      List<TestResult> results = runner.run(names, r -> {
        human.print(Reports.console(r, specOptions.spec + " " + specOptions.replayOptions()));
        human.flush();
      });
      List<Warning> warnings = Warning.positiveControl(results);
      human.println();
      human.print(Reports.warnings(warnings));
      human.println(Reports.totals(results));
      if (strict && !warnings.isEmpty()) {
        human.println("--strict: " + warnings.size() + (warnings.size() == 1 ? " warning fails" : " warnings fail") + " the run");
      }
      human.flush();
      if (json) {
        out.println(Reports.json(specOptions.spec, (System.nanoTime() - start) / 1_000_000, results, warnings));
        out.flush();
      }
      boolean ok = results.stream().allMatch(TestResult::passed) && !(strict && !warnings.isEmpty());
      return ok ? Main.OK : Main.FAILED;
    } catch (SpecException e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    }
  }
}
