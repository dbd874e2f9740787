package dev.faultbox.kernel.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The JUnit XML report CI servers read, shaped as Surefire writes it: a {@code <testsuites>}
 * with one {@code <testsuite>} per spec and one {@code <testcase>} per test run.
 */
public final class JunitXml {
  private JunitXml() {}

  /**
   * One spec's part of the report.
   *
   * @param spec the spec's path as given: the suite's name and each test's classname
   * @param replay the spec as replay commands name it, with the run's options ({@code s.star --seed 7})
   * @param results the tests that ran
   * @param error what stopped the spec, or null: it becomes one more failed test case
   */
  public record Suite(String spec, String replay, long durationMs, List<TestResult> results, Stop error) {}

  /**
   * What stopped a spec before its tests were all run.
   *
   * @param phase the name of the test case that reports it: {@code load}, or the test whose services would not start
   */
  public record Stop(String phase, String message) {}

  /** Writes the report, creating the file's directory when missing. */
  public static void write(Path file, List<Suite> suites) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      write(out, suites);
    }
  }

  static void write(OutputStream out, List<Suite> suites) throws IOException {
    try {
      XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeStartElement("testsuites");
      x.writeAttribute("name", "faultbox");
      x.writeAttribute("tests", Integer.toString(suites.stream().mapToInt(JunitXml::tests).sum()));
      x.writeAttribute("failures", Integer.toString(suites.stream().mapToInt(JunitXml::failures).sum()));
      x.writeAttribute("errors", "0");
      x.writeAttribute("skipped", "0");
      x.writeAttribute("time", seconds(suites.stream().mapToLong(Suite::durationMs).sum()));
      for (Suite s : suites) {
        suite(x, s);
      }
      x.writeCharacters("\n");
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndDocument();
      x.close();
    } catch (XMLStreamException e) {
      throw new IOException("cannot write the JUnit XML: " + e.getMessage(), e);
    }
  }

  private static int tests(Suite s) {
    return s.results().size() + (s.error() == null ? 0 : 1);
  }

  private static int failures(Suite s) {
    return (int) s.results().stream().filter(r -> !r.passed()).count() + (s.error() == null ? 0 : 1);
  }

  private static void suite(XMLStreamWriter x, Suite s) throws XMLStreamException {
    x.writeCharacters("\n  ");
    x.writeStartElement("testsuite");
    x.writeAttribute("name", text(s.spec()));
    x.writeAttribute("tests", Integer.toString(tests(s)));
    x.writeAttribute("failures", Integer.toString(failures(s)));
    x.writeAttribute("errors", "0");
    x.writeAttribute("skipped", "0");
    x.writeAttribute("time", seconds(s.durationMs()));
    for (TestResult r : s.results()) {
      testcase(x, s, r.name(), r.durationMs());
      if (!r.passed()) {
        failure(x, r.reason(), r.failure().name().toLowerCase(Locale.ROOT),
            String.join("\n", Reports.failureLines(r, s.replay())));
      }
      StringBuilder out = new StringBuilder("events: ").append(Reports.summary(r.events())).append('\n');
      r.warnings().forEach(w -> out.append("warning: ").append(w.message()).append('\n'));
      x.writeCharacters("\n      ");
      x.writeStartElement("system-out");
      x.writeCharacters(text(out.toString()));
      x.writeEndElement();
      x.writeCharacters("\n    ");
      x.writeEndElement();
    }
    if (s.error() != null) {
      testcase(x, s, s.error().phase(), 0);
      failure(x, s.error().message(), "error", s.error().message());
      x.writeCharacters("\n    ");
      x.writeEndElement();
    }
    x.writeCharacters("\n  ");
    x.writeEndElement();
  }

  private static void testcase(XMLStreamWriter x, Suite s, String name, long durationMs) throws XMLStreamException {
    x.writeCharacters("\n    ");
    x.writeStartElement("testcase");
    x.writeAttribute("name", text(name));
    x.writeAttribute("classname", text(s.spec()));
    x.writeAttribute("time", seconds(durationMs));
  }

  private static void failure(XMLStreamWriter x, String message, String type, String body) throws XMLStreamException {
    x.writeCharacters("\n      ");
    x.writeStartElement("failure");
    x.writeAttribute("message", text(message));
    x.writeAttribute("type", type);
    x.writeCharacters(text(body));
    x.writeEndElement();
  }

  /** {@code 0.012}: seconds with three decimals, as Surefire writes them. */
  static String seconds(long ms) {
    return String.format(Locale.ROOT, "%d.%03d", ms / 1000, ms % 1000);
  }

  /**
   * The text with each character XML 1.0 cannot hold (a control character such as a terminal's
   * ESC, a lone surrogate) as U+FFFD: the writer escapes markup, not these.
   */
  static String text(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> b.appendCodePoint(allowed(c) ? c : 0xFFFD));
    return b.toString();
  }

  private static boolean allowed(int c) {
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
        || (c >= 0x10000 && c <= 0x10FFFF);
  }
}
