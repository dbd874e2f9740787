package dev.faultbox.cli;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.runner.JunitXml;
import dev.faultbox.kernel.runner.Reports;
import dev.faultbox.kernel.runner.TestResult;
import dev.faultbox.kernel.runner.TestRunner;
import dev.faultbox.kernel.runner.Warning;
import dev.faultbox.kernel.spec.SpecSession;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "test", mixinStandardHelpOptions = true,
    description = "Run the specs' test_* functions, each against freshly started mocks.",
    footer = {"", "Exit codes: 0 all passed, 1 a spec did not load, a usage error or no test matched, "
        + "2 a test failed (or, with --strict, a warning)."})
final class TestCommand implements Callable<Integer> {
  enum Format { text, json }

  @Parameters(arity = "0..*", paramLabel = "SPEC",
      description = "Spec files, and directories to search for *.star files that define tests (default: faultbox.star).")
  List<String> specs = new ArrayList<>();

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

  @Option(names = "--junit-xml", paramLabel = "FILE",
      description = "Also write a JUnit XML report (Surefire's format) to FILE, failures or not.")
  Path junitXml;

  @Option(names = "--shard", paramLabel = "I/N",
      description = "Run only the I-th of N disjoint parts of the tests, the same part on every machine.")
  String shard;

  @Option(names = "--list", description = "Print the tests the run would execute, one a line, and start nothing.")
  boolean list;

  @Spec picocli.CommandLine.Model.CommandSpec command;

  /**
   * What became of one spec.
   *
   * @param stop what stopped it (it did not load, or its services would not start), or null
   */
  private record SpecRun(String spec, long durationMs, List<TestResult> results, List<Warning> warnings,
      JunitXml.Stop stop) {}

  // The run, spec by spec: one command object serves one command line.
  private PrintWriter out;
  private PrintWriter err;
  private PrintWriter human; // progress: stdout, or stderr when stdout has the JSON
  private PrintStream printTarget; // where specs' print() goes
  private Duration limit;
  private Shard part;
  private boolean several; // more than one spec file: each gets a header, and the run a total
  private final List<SpecRun> runs = new ArrayList<>();
  private final Set<String> directoriesWithSpecs = new LinkedHashSet<>(); // a file under it had tests, or did not load
  private final Map<String, List<String>> unmatched = new LinkedHashMap<>(); // spec -> its tests, where the filter matched none
  private boolean matched; // the filter matched in some spec

  @Override
  public Integer call() {
    out = command.commandLine().getOut();
    err = command.commandLine().getErr();
    boolean json = format == Format.json;
    human = json ? err : out;
    printTarget = json ? System.err : System.out;
    try {
      specOptions.check();
      limit = SpecOptions.duration("--timeout", timeout);
      part = shard == null ? Shard.ALL : Shard.parse(shard);
    } catch (SpecException e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    }
    List<SpecFiles.Unreadable> unreadable = new ArrayList<>();
    List<SpecFiles.SpecFile> files = SpecFiles.expand(specs.isEmpty() ? List.of("faultbox.star") : specs, unreadable);
    unreadable.forEach(u -> err.println("error: " + u.directory() + ": cannot search it: " + u.reason()));
    several = files.size() + unreadable.size() > 1;
    files.forEach(this::runSpec);

    boolean usable = unreadable.isEmpty() && runs.stream().allMatch(r -> r.stop() == null);
    for (String dir : specs) {
      boolean searched = Files.isDirectory(Path.of(dir)) && unreadable.stream().noneMatch(u -> u.directory().equals(dir));
      if (searched && !directoriesWithSpecs.contains(dir)) {
        err.println("error: " + dir + ": no *.star file under it defines a test");
        usable = false;
      }
    }
    if (filter != null && !matched && !unmatched.isEmpty()) {
      err.println("error: " + noMatch());
      usable = false;
    }
    if (list) {
      out.flush();
      return usable ? Main.OK : Main.USAGE;
    }
    List<TestResult> all = runs.stream().flatMap(r -> r.results().stream()).toList();
    if (several) {
      human.println();
      long stopped = runs.stream().filter(r -> r.stop() != null).count() + unreadable.size();
      if (stopped > 0) {
        human.println(Main.count((int) stopped, "spec") + " stopped with an error");
      }
      human.println(Reports.totals(all));
      human.flush();
    }
    if (json) {
      printJson();
    }
    if (junitXml != null) {
      try {
        JunitXml.write(junitXml, runs.stream().map(r -> new JunitXml.Suite(r.spec(), r.spec() + " "
            + specOptions.replayOptions(), r.durationMs(), r.results(), r.stop())).toList());
      } catch (IOException e) {
        err.println("error: --junit-xml " + junitXml + ": cannot write it: " + why(e));
        usable = false;
      }
    }
    if (!usable) {
      return Main.USAGE;
    }
    boolean warned = strict && runs.stream().anyMatch(r -> !r.warnings().isEmpty());
    return all.stream().allMatch(TestResult::passed) && !warned ? Main.OK : Main.FAILED;
  }

  /** Loads one spec, runs (or lists) what the filter and the shard select, and closes it, releasing its ports. */
  private void runSpec(SpecFiles.SpecFile file) {
    String spec = file.path();
    long start = System.nanoTime();
    try (SpecSession session = specOptions.load(spec, printTarget)) {
      if (session.tests().isEmpty()) {
        if (file.directory() != null) {
          return; // a file under a directory that defines no tests (a library) is not a spec to run
        }
        throw new SpecException(null, spec + " defines no tests; add a function named test_something()");
      }
      if (file.directory() != null) {
        directoriesWithSpecs.add(file.directory());
      }
      TestRunner runner = new TestRunner(session, limit, strict);
      List<String> selected = runner.matching(filter);
      if (selected.isEmpty()) {
        unmatched.put(spec, List.copyOf(session.tests().keySet()));
        return;
      }
      matched = true;
      List<String> names = selected.stream().filter(t -> part.includes(spec, t)).toList();
      if (names.isEmpty() && (list || several)) {
        return; // all its tests are in other shards (a run of one spec still reports its 0 tests)
      }
      if (list) {
        names.forEach(n -> out.println(several ? spec + " " + n : n));
        return;
      }
      if (several) {
        human.println("=== " + spec + " ===");
      }
      String replay = spec + " " + specOptions.replayOptions();
      List<TestResult> results = new ArrayList<>();
      JunitXml.Stop stop = null;
      try {
        runner.run(names, r -> {
          results.add(r);
          human.print(Reports.console(r, replay));
          human.flush();
        });
      } catch (SpecException e) { // a port in use: the spec's run stops there
        human.flush();
        err.println("error: " + e.getMessage());
        stop = new JunitXml.Stop(names.get(results.size()), e.getMessage());
      }
      List<Warning> warnings = Warning.positiveControl(results);
      human.println();
      human.print(Reports.warnings(warnings));
      human.println(Reports.totals(results));
      if (strict && !warnings.isEmpty()) {
        human.println("--strict: " + warnings.size() + (warnings.size() == 1 ? " warning fails" : " warnings fail") + " the run");
      }
      human.flush();
      runs.add(new SpecRun(spec, (System.nanoTime() - start) / 1_000_000, results, warnings, stop));
    } catch (SpecException e) {
      if (file.directory() != null) {
        directoriesWithSpecs.add(file.directory());
      }
      if (several && !list) {
        human.println("=== " + spec + " ===");
        human.flush();
      }
      err.println("error: " + e.getMessage());
      runs.add(new SpecRun(spec, (System.nanoTime() - start) / 1_000_000, List.of(), List.of(),
          new JunitXml.Stop("load", e.getMessage())));
    }
  }

  /** An I/O failure in words: the JDK's messages are often just the path. */
  private static String why(IOException e) {
    if (e instanceof java.nio.file.FileAlreadyExistsException f) {
      return f.getFile() + " exists and is not a directory";
    }
    if (e instanceof java.nio.file.AccessDeniedException f) {
      return "permission denied: " + f.getFile();
    }
    if (e instanceof java.nio.file.NoSuchFileException f) {
      return "no such file or directory: " + f.getFile();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** {@code no test matched filter "x" (available: ...)}, or, over several specs, how many it searched. */
  private String noMatch() {
    if (unmatched.size() == 1) {
      return "no test matched filter \"" + filter + "\" (available: " + String.join(", ", unmatched.values().iterator().next()) + ")";
    }
    return "no test matched filter \"" + filter + "\" in any of " + unmatched.size() + " specs";
  }

  /** One document: a spec's report alone, or, for several specs, each one's in {@code specs} with the totals. */
  private void printJson() {
    if (!several) {
      if (runs.size() == 1 && runs.get(0).stop() == null) {
        SpecRun r = runs.get(0);
        out.println(Reports.json(r.spec(), r.durationMs(), r.results(), r.warnings()));
      }
      out.flush();
      return;
    }
    List<Map<String, Object>> docs = new ArrayList<>();
    for (SpecRun r : runs) {
      Map<String, Object> doc = Reports.document(r.spec(), r.durationMs(), r.results(), r.warnings());
      if (r.stop() != null) {
        doc.put("error", r.stop().message());
      }
      docs.add(doc);
    }
    List<TestResult> all = runs.stream().flatMap(r -> r.results().stream()).toList();
    long passed = all.stream().filter(TestResult::passed).count();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("version", 1);
    doc.put("specs", docs);
    doc.put("passed", passed);
    doc.put("failed", all.size() - passed);
    out.println(Reports.render(doc));
    out.flush();
  }
}
