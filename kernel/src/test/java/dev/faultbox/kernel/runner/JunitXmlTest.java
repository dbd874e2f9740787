package dev.faultbox.kernel.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class JunitXmlTest {
  private static TestResult failed(String name, String reason) {
    return new TestResult(name, false, 1234, reason, TestResult.Failure.ASSERTION, "s.star:3:5", "", List.of(),
        List.of(), 1, Map.of(), List.of());
  }

  private static Document parse(byte[] xml) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(xml));
  }

  @Test
  void markupAndCharactersXmlCannotHoldSurviveAsText() throws Exception {
    String reason = "got \"<a & b>\" 'x' ]]> \u001b[31mred\u0000 \ud800 \uD83D\uDE00";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JunitXml.write(out, List.of(new JunitXml.Suite("dir/s&t.star", "dir/s&t.star --seed 1", 1234,
        List.of(failed("test_x", reason)), null)));
    Document doc = parse(out.toByteArray());
    Element failure = (Element) doc.getElementsByTagName("failure").item(0);
    String kept = "got \"<a & b>\" 'x' ]]> \uFFFD[31mred\uFFFD \uFFFD \uD83D\uDE00";
    assertThat(failure.getAttribute("message")).isEqualTo(kept);
    assertThat(failure.getTextContent()).startsWith("reason: " + kept + "\nat: s.star:3:5\n")
        .endsWith("replay: faultbox test dir/s&t.star --seed 1 --test test_x");
    Element testcase = (Element) doc.getElementsByTagName("testcase").item(0);
    assertThat(testcase.getAttribute("classname")).isEqualTo("dir/s&t.star");
    assertThat(testcase.getAttribute("time")).isEqualTo("1.234");
  }

  @Test
  void timesAreSecondsWithThreeDecimals() {
    assertThat(JunitXml.seconds(0)).isEqualTo("0.000");
    assertThat(JunitXml.seconds(12)).isEqualTo("0.012");
    assertThat(JunitXml.seconds(61_005)).isEqualTo("61.005");
  }

  @Test
  void aSpecStoppedByAnErrorIsOneMoreFailedCase() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JunitXml.write(out, List.of(new JunitXml.Suite("b.star", "b.star", 0, List.of(),
        new JunitXml.Stop("load", "b.star:1:5: name 'x' is not defined"))));
    Element suite = (Element) parse(out.toByteArray()).getElementsByTagName("testsuite").item(0);
    assertThat(suite.getAttribute("tests")).isEqualTo("1");
    assertThat(suite.getAttribute("failures")).isEqualTo("1");
    Element failure = (Element) suite.getElementsByTagName("failure").item(0);
    assertThat(((Element) failure.getParentNode()).getAttribute("name")).isEqualTo("load");
    assertThat(failure.getAttribute("type")).isEqualTo("error");
    assertThat(failure.getAttribute("message")).isEqualTo("b.star:1:5: name 'x' is not defined");
  }
}
