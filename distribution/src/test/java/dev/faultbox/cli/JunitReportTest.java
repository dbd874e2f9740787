package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** {@code --junit-xml FILE}: the report CI servers read, read back here with a DOM parser. */
class JunitReportTest {
  @TempDir Path dir;

  private static Document parse(Path file) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Each test case's child elements, by tag, in document order. */
  private static List<String> tags(Element testcase) {
    List<String> out = new ArrayList<>();
    for (Node n = testcase.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        out.add(e.getTagName());
      }
    }
    return out;
  }

  /** The spec's path relative to the working directory, as a user types it. */
  private static String relative(Path p) {
    return Path.of("").toAbsolutePath().relativize(p).toString();
  }

  @Test
  void everyTestIsACaseWithItsOutcomeTimeAndOutput() throws Exception {
    int port = FreePorts.tcp();
    Path file = dir.resolve("report.star");
    Files.writeString(file, """
        legacy = mock_service("legacy", interface("main", "tcp", %d), routes = {"PING\\n": bytes_response(data = "PONG\\n")})
        def test_a_passes():
            assert_eq(legacy.main.send(data = "PING"), "PONG")
        def test_b_assertion():
            assert_eq(legacy.main.send(data = "PING"), "<b> & \\"c\\"")
        def test_c_error():
            x = {}["missing"]
        def test_d_timeout():
            sleep("30s")
        def test_e_no_assertions():
            legacy.main.send(data = "PING")
        """.formatted(port));
    String spec = relative(file);
    Path report = dir.resolve("reports/nested/faultbox.xml");
    Cli r = Cli.run("test", spec, "--junit-xml", report.toString(), "--timeout", "1s", "--seed", "42");
    assertThat(r.exit()).as("written although tests failed: " + r).isEqualTo(2);

    Element root = parse(report).getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("testsuites");
    List<Element> suites = children(root, "testsuite");
    assertThat(suites).hasSize(1);
    Element suite = suites.get(0);
    assertThat(suite.getAttribute("name")).isEqualTo(spec);
    assertThat(suite.getAttribute("tests")).isEqualTo("5");
    assertThat(suite.getAttribute("failures")).isEqualTo("3");
    assertThat(suite.getAttribute("errors")).isEqualTo("0");
    assertThat(suite.getAttribute("skipped")).isEqualTo("0");
    assertThat(suite.getAttribute("time")).matches("\\d+\\.\\d{3}");

    Map<String, Element> cases = new LinkedHashMap<>();
    children(suite, "testcase").forEach(c -> cases.put(c.getAttribute("name"), c));
    assertThat(cases.keySet()).containsExactly("test_a_passes", "test_b_assertion", "test_c_error", "test_d_timeout",
        "test_e_no_assertions");
    for (Element c : cases.values()) {
      assertThat(c.getAttribute("classname")).isEqualTo(spec);
      assertThat(c.getAttribute("time")).matches("\\d+\\.\\d{3}");
      assertThat(tags(c)).as("Surefire's order").containsAnyOf("system-out").last().isEqualTo("system-out");
      assertThat(children(c, "system-out").get(0).getTextContent()).startsWith("events: ");
    }
    assertThat(Double.parseDouble(cases.get("test_d_timeout").getAttribute("time"))).isBetween(1.0, 15.0);

    assertThat(tags(cases.get("test_a_passes"))).containsExactly("system-out");
    assertThat(children(cases.get("test_a_passes"), "system-out").get(0).getTextContent())
        .isEqualTo("events: legacy.main mock.recv: 1\n");

    Element assertion = children(cases.get("test_b_assertion"), "failure").get(0);
    assertThat(assertion.getAttribute("type")).isEqualTo("assertion");
    assertThat(assertion.getAttribute("message")).isEqualTo("assert_eq failed: got \"PONG\", want \"<b> & \\\"c\\\"\"");
    assertThat(assertion.getTextContent())
        .startsWith("reason: assert_eq failed: got \"PONG\", want \"<b> & \\\"c\\\"\"\nat: " + spec + ":5:14\n")
        .contains("events: legacy.main mock.recv: 1\n")
        .endsWith("replay: faultbox test " + spec + " --seed 42 --test test_b_assertion");

    Element error = children(cases.get("test_c_error"), "failure").get(0);
    assertThat(error.getAttribute("type")).isEqualTo("error");
    assertThat(error.getAttribute("message")).isEqualTo("key \"missing\" not found in dictionary");
    assertThat(error.getTextContent()).contains("at: " + spec + ":7:")
        .endsWith("replay: faultbox test " + spec + " --seed 42 --test test_c_error");

    Element timeout = children(cases.get("test_d_timeout"), "failure").get(0);
    assertThat(timeout.getAttribute("type")).isEqualTo("timeout");
    assertThat(timeout.getAttribute("message")).isEqualTo("timed out after 1s (interrupted)");

    Element doubtful = cases.get("test_e_no_assertions");
    assertThat(children(doubtful, "failure")).isEmpty();
    assertThat(children(doubtful, "system-out").get(0).getTextContent())
        .isEqualTo("events: legacy.main mock.recv: 1\nwarning: no assertions: test_e_no_assertions passed without evaluating "
            + "an assert_*, an expect= or a monitor check, so it cannot fail; assert on what it did\n");
  }

  @Test
  void severalSpecsAreOneSuiteEachAndASpecThatDidNotLoadIsAFailedLoadCase() throws Exception {
    Path a = dir.resolve("a.star");
    Files.writeString(a, "def test_one():\n    assert_true(True)\ndef test_two():\n    assert_true(True)\n");
    Path bad = dir.resolve("bad.star");
    Files.writeString(bad, "x = undefined_name\n");
    Path report = dir.resolve("all.xml");
    Cli r = Cli.run("test", a.toString(), bad.toString(), "--junit-xml", report.toString());
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);

    Element root = parse(report).getDocumentElement();
    assertThat(root.getAttribute("tests")).isEqualTo("3");
    assertThat(root.getAttribute("failures")).isEqualTo("1");
    List<Element> suites = children(root, "testsuite");
    assertThat(suites).extracting(s -> s.getAttribute("name")).containsExactly(a.toString(), bad.toString());
    assertThat(suites.get(0).getAttribute("tests")).isEqualTo("2");
    assertThat(suites.get(0).getAttribute("failures")).isEqualTo("0");
    assertThat(children(suites.get(0), "testcase")).extracting(c -> c.getAttribute("name")).containsExactly("test_one", "test_two");

    Element load = children(suites.get(1), "testcase").get(0);
    assertThat(load.getAttribute("name")).isEqualTo("load");
    assertThat(load.getAttribute("classname")).isEqualTo(bad.toString());
    Element failure = children(load, "failure").get(0);
    assertThat(failure.getAttribute("type")).isEqualTo("error");
    assertThat(failure.getAttribute("message")).isEqualTo(bad + ":1:5: name 'undefined_name' is not defined");
  }

  @Test
  void aReportThatCannotBeWrittenIsAnErrorLine() throws Exception {
    Path a = dir.resolve("a.star");
    Files.writeString(a, "def test_one():\n    assert_true(True)\n");
    Files.writeString(dir.resolve("file"), "");
    Cli r = Cli.run("test", a.toString(), "--junit-xml", dir.resolve("file/report.xml").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: --junit-xml " + dir.resolve("file/report.xml") + ": cannot write it: ");
    assertThat(r.err().strip()).doesNotContain("\n");
  }
}
