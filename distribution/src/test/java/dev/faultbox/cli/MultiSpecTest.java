package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faultbox.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code faultbox test a.star dir/ b.star}: each spec in turn, in its own session, with one total. */
class MultiSpecTest {
  @TempDir Path dir;

  private String spec(String name, String source) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, source);
    return p.toString();
  }

  /** A spec with a TCP mock on {@code port} and the given tests. */
  private String mockSpec(String name, int port, String tests) throws IOException {
    return spec(name, """
        legacy = mock_service("legacy", interface("main", "tcp", %d), routes = {"PING\\n": bytes_response(data = "PONG\\n")})
        """.formatted(port) + tests);
  }

  private static final String PASSING = "def test_ping():\n    assert_eq(legacy.main.send(data = \"PING\"), \"PONG\")\n";
  private static final String FAILING = "def test_wrong():\n    assert_eq(legacy.main.send(data = \"PING\"), \"PANG\")\n";

  @Test
  void specsRunInTurnOnTheSamePortsWithAHeaderEachAndOneTotal() throws Exception {
    int port = FreePorts.tcp(); // both specs listen on it: the first must release it before the second starts
    String a = mockSpec("a.star", port, PASSING + FAILING);
    String b = mockSpec("b.star", port, PASSING);
    Cli r = Cli.run("test", a, b);
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).containsSubsequence(
        "=== " + a + " ===\n", "--- PASS: test_ping", "--- FAIL: test_wrong", "\n1 passed, 1 failed\n",
        "=== " + b + " ===\n", "--- PASS: test_ping", "\n1 passed, 0 failed\n")
        .contains("  replay: faultbox test " + a + " --seed ")
        .endsWith("1 passed, 0 failed\n\n2 passed, 1 failed\n");
    assertThat(r.err()).isEmpty();

    Cli passing = Cli.run("test", b, b);
    assertThat(passing.exit()).as(passing.toString()).isZero();
    assertThat(passing.out()).endsWith("\n2 passed, 0 failed\n");

    Cli one = Cli.run("test", b);
    assertThat(one.out()).as("one spec: no header, no second total").doesNotContain("===").endsWith("\n1 passed, 0 failed\n");
  }

  @Test
  void aDirectoryMeansEveryStarFileUnderItThatDefinesTests() throws Exception {
    int port = FreePorts.tcp();
    spec("suite/lib.star", "def ping(s):\n    return s.main.send(data = \"PING\")\n"); // no tests: passed over
    String z = spec("suite/z.star", """
        load("lib.star", "ping")
        legacy = mock_service("legacy", interface("main", "tcp", %d), routes = {"PING\\n": bytes_response(data = "PONG\\n")})
        def test_z():
            assert_eq(ping(legacy), "PONG")
        """.formatted(port));
    String deep = mockSpec("suite/sub/a.star", port, PASSING);
    spec("suite/notes.txt", "def test_not_a_spec():\n    pass\n");
    String suite = dir.resolve("suite").toString() + "/";
    Cli r = Cli.run("test", suite);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).containsSubsequence("=== " + deep + " ===\n", "--- PASS: test_ping",
            "=== " + z + " ===\n", "--- PASS: test_z")
        .doesNotContain("lib.star").doesNotContain("notes")
        .endsWith("\n\n2 passed, 0 failed\n");

    Cli listed = Cli.run("test", suite, "--list");
    assertThat(listed.out()).isEqualTo(deep + " test_ping\n" + z + " test_z\n");

    Files.createDirectories(dir.resolve("one"));
    String only = mockSpec("one/only.star", port, PASSING);
    Cli single = Cli.run("test", dir.resolve("one").toString());
    assertThat(single.exit()).as(single.toString()).isZero();
    assertThat(single.out()).doesNotContain("===").endsWith("\n1 passed, 0 failed\n");
    assertThat(Cli.run("test", dir.resolve("one").toString(), "--list").out()).isEqualTo("test_ping\n");
    assertThat(only).isNotEmpty();
  }

  @Test
  void aSpecThatDoesNotLoadFailsTheRunAndTheOthersStillRun() throws Exception {
    int port = FreePorts.tcp();
    String bad = spec("bad.star", "x = (1,\n");
    String good = mockSpec("good.star", port, PASSING);
    Cli r = Cli.run("test", bad, good);
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: " + bad + ":2:").doesNotContain("Exception");
    assertThat(r.err().strip()).as("one line").doesNotContain("\n");
    assertThat(r.out()).containsSubsequence("=== " + bad + " ===\n", "=== " + good + " ===\n", "--- PASS: test_ping")
        .endsWith("\n1 spec stopped with an error\n1 passed, 0 failed\n");

    String failing = mockSpec("failing.star", port, FAILING);
    Cli both = Cli.run("test", failing, bad);
    assertThat(both.exit()).as("a spec that did not load outranks a failed test").isEqualTo(1);

    String empty = spec("empty.star", "x = 1\n");
    Cli named = Cli.run("test", good, empty);
    assertThat(named.exit()).as(named.toString()).isEqualTo(1);
    assertThat(named.err()).isEqualTo("error: " + empty + " defines no tests; add a function named test_something()\n");
    assertThat(named.out()).contains("--- PASS: test_ping");

    Cli missing = Cli.run("test", good, dir.resolve("absent.star").toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("error: spec file " + dir.resolve("absent.star") + " not found\n");

    Files.createDirectories(dir.resolve("libs"));
    spec("libs/lib.star", "x = 1\n");
    Cli noTests = Cli.run("test", good, dir.resolve("libs").toString());
    assertThat(noTests.exit()).isEqualTo(1);
    assertThat(noTests.err()).isEqualTo("error: " + dir.resolve("libs") + ": no *.star file under it defines a test\n");
  }

  @Test
  void theFilterAppliesToEachSpecAndFailsOnlyWhenItMatchesNothingAnywhere() throws Exception {
    String a = spec("a.star", "def test_alpha():\n    assert_true(True)\n");
    String b = spec("b.star", "def test_beta():\n    assert_true(True)\n");
    Cli alpha = Cli.run("test", a, b, "--test", "alpha");
    assertThat(alpha.exit()).as(alpha.toString()).isZero();
    assertThat(alpha.out()).contains("=== " + a + " ===\n--- PASS: test_alpha").doesNotContain(b)
        .endsWith("\n1 passed, 0 failed\n");

    Cli none = Cli.run("test", a, b, "--test", "gamma");
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.err()).isEqualTo("error: no test matched filter \"gamma\" in any of 2 specs\n");

    Cli badRegex = Cli.run("test", a, b, "--test", "~(");
    assertThat(badRegex.exit()).isEqualTo(1);
    assertThat(badRegex.err()).startsWith("error: --test ~(: not a regular expression");
  }

  @Test
  void jsonIsOneDocumentForSeveralSpecsAndTodaysForOne() throws Exception {
    String a = spec("a.star", "def test_alpha():\n    assert_true(True)\n");
    String b = spec("b.star", "def test_beta():\n    assert_true(False)\n");
    String bad = spec("bad.star", "x = (1,\n");
    Cli r = Cli.run("test", a, b, bad, "--format", "json");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertThat(iterable(doc.fieldNames())).containsExactly("version", "specs", "passed", "failed");
    assertThat(doc.get("version").asInt()).isEqualTo(1);
    assertThat(doc.get("passed").asInt()).isEqualTo(1);
    assertThat(doc.get("failed").asInt()).isEqualTo(1);
    JsonNode specs = doc.get("specs");
    assertThat(specs).hasSize(3);
    assertThat(specs.get(0).get("spec").asText()).isEqualTo(a);
    assertThat(specs.get(0).get("tests").get(0).get("name").asText()).isEqualTo("test_alpha");
    assertThat(specs.get(1).get("tests").get(0).get("result").asText()).isEqualTo("fail");
    assertThat(specs.get(2).get("spec").asText()).isEqualTo(bad);
    assertThat(specs.get(2).get("error").asText()).startsWith(bad + ":2:");
    assertThat(r.err()).contains("=== " + a + " ===").contains("--- PASS: test_alpha");

    Cli one = Cli.run("test", a, "--format", "json");
    JsonNode single = new ObjectMapper().readTree(one.out());
    assertThat(iterable(single.fieldNames())).containsExactly("version", "spec", "duration_ms", "passed", "failed", "warnings", "tests");
    assertThat(single.get("spec").asText()).isEqualTo(a);
  }

  @Test
  void withoutASpecTheDefaultIsFaultboxStar() {
    Cli r = Cli.run("test");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: spec file faultbox.star not found\n");
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    return StreamSupport.stream(((Iterable<String>) () -> it).spliterator(), false).toList();
  }
}
