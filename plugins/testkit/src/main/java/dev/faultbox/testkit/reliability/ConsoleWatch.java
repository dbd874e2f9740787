package dev.faultbox.testkit.reliability;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;

/**
 * Watches the console while a mock is under load: System.out and System.err (where slf4j-simple
 * writes, and java.util.logging's console handler once redirected) are copied into a buffer as
 * they pass through, and java.util.logging records of WARNING and above are kept too (Netty and
 * gRPC log there when no slf4j binding prints). {@link #problems()} is every line that is a
 * warning, an error or part of a stack trace.
 */
public final class ConsoleWatch implements AutoCloseable {

  /** A WARN/ERROR level word, an exception's class name or a stack frame. */
  private static final Pattern PROBLEM = Pattern.compile(
      "\\b(WARN|WARNING|ERROR|SEVERE|FATAL)\\b|Exception\\b|\\bError:|^\\s+at \\S+\\(|^Caused by: ");

  /** jqwik's own note while it shrinks a failing input: about the test, not the mock. */
  private static final String JQWIK_SHRINKING = "Shrinking timeout reached";

  private final PrintStream out;
  private final PrintStream err;
  private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
  private final List<String> logged = new ArrayList<>();
  private final Handler julHandler;
  private final java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");

  private ConsoleWatch() {
    out = System.out;
    err = System.err;
    System.setOut(tee(out));
    System.setErr(tee(err));
    julHandler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
          synchronized (logged) {
            logged.add("java.util.logging " + record.getLevel() + " " + record.getLoggerName() + ": "
                + record.getMessage() + (record.getThrown() == null ? "" : " " + record.getThrown()));
          }
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    julRoot.addHandler(julHandler);
  }

  /** Starts watching; {@link #close()} puts the console back. */
  public static ConsoleWatch start() {
    return new ConsoleWatch();
  }

  private PrintStream tee(PrintStream original) {
    OutputStream both = new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (seen) {
          seen.write(b);
        }
        original.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (seen) {
          seen.write(b, off, len);
        }
        original.write(b, off, len);
      }

      @Override
      public void flush() {
        original.flush();
      }
    };
    return new PrintStream(both, true, StandardCharsets.UTF_8);
  }

  /** Everything printed so far. */
  public String text() {
    synchronized (seen) {
      return seen.toString(StandardCharsets.UTF_8);
    }
  }

  /** The warnings, errors and stack-trace lines printed or logged so far. */
  public List<String> problems() {
    List<String> found = new ArrayList<>();
    Arrays.stream(text().split("\\R")).filter(line -> PROBLEM.matcher(line).find())
        .filter(line -> !line.contains(JQWIK_SHRINKING)).forEach(found::add);
    synchronized (logged) {
      found.addAll(logged);
    }
    return found;
  }

  @Override
  public void close() {
    julRoot.removeHandler(julHandler);
    System.out.flush();
    System.err.flush();
    System.setOut(out);
    System.setErr(err);
  }
}
