package dev.faultbox.junit;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.runner.TestResult;
import dev.faultbox.kernel.runner.TestRunner;
import dev.faultbox.kernel.spec.SpecSession;
import dev.faultbox.spi.SourceLocation;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.AssertionFailedError;

/**
 * A spec's {@code test_*} as JUnit dynamic tests, each with its own pass or fail, reason and
 * source location: {@code @TestFactory Stream<DynamicTest> spec() { return FaultboxTests.of("deps.star"); }}.
 * Each test gets freshly started services, as under {@code faultbox test}.
 */
public final class FaultboxTests {
  private FaultboxTests() {}

  /** The tests of a spec (a path relative to the working directory, or a class path resource). */
  public static Stream<DynamicTest> of(String spec) {
    return of(Path.of(spec));
  }

  public static Stream<DynamicTest> of(Path spec) {
    SpecSession session = Faultbox.session(spec, System.out);
    TestRunner runner = new TestRunner(session);
    List<String> names;
    try {
      names = runner.select(null);
    } catch (SpecException e) {
      session.close();
      throw new FaultboxException(e.getMessage());
    }
    AtomicInteger left = new AtomicInteger(names.size());
    // The session ends after the last test ran. Not on the stream's close: with JUnit's parallel
    // execution the stream is closed before its tests run.
    return names.stream().map(name -> DynamicTest.dynamicTest(name, source(session, name), () -> {
      try {
        TestResult r;
        synchronized (session) { // one test at a time: they share the session's ports and log
          r = runner.run(List.of(name), x -> { }).get(0);
        }
        if (!r.passed()) {
          throw new AssertionFailedError(r.reason() + (r.location().isEmpty() ? "" : "\n  at " + r.location()));
        }
      } catch (SpecException e) {
        throw new FaultboxException(e.getMessage());
      } finally {
        if (left.decrementAndGet() == 0) {
          session.close(); // the last test ran: release the run
        }
      }
    }));
  }

  /** {@code file:///.../deps.star?line=12&column=5}, which IDEs open at the test. */
  private static URI source(SpecSession session, String test) {
    SourceLocation at = session.testLocation(test);
    // Locations name files as the spec was given: relative to the working directory.
    URI uri = Path.of(at == null ? session.displayName() : at.file()).toAbsolutePath().normalize().toUri();
    return at == null ? uri : URI.create(uri + "?line=" + at.line() + "&column=" + at.column());
  }
}
