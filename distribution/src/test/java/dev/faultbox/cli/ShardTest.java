package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --shard i/n} and {@code --list}: stable, disjoint parts of a run, listed without starting anything. */
class ShardTest {
  @TempDir Path dir;

  /** A spec of 50 tests: Starlark has no top-level loop, so the defs are written out. */
  private String fiftyTests(String name) throws IOException {
    StringBuilder source = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      source.append("def test_%02d():\n    assert_true(True)\n".formatted(i));
    }
    Path p = dir.resolve(name);
    Files.writeString(p, source);
    return p.toString();
  }

  private static List<String> lines(Cli r) {
    assertThat(r.exit()).as(r.toString()).isZero();
    return r.out().lines().toList();
  }

  @Test
  void threeShardsAreDisjointNonEmptyAndTogetherEverything() throws Exception {
    String spec = fiftyTests("fifty.star");
    List<String> all = lines(Cli.run("test", spec, "--list"));
    assertThat(all).hasSize(50).containsExactlyElementsOf(IntStream.range(0, 50).mapToObj(i -> "test_%02d".formatted(i)).toList());

    List<String> union = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      List<String> shard = lines(Cli.run("test", spec, "--list", "--shard", i + "/3"));
      assertThat(shard).as("shard " + i).isNotEmpty();
      assertThat(lines(Cli.run("test", spec, "--list", "--shard", i + "/3"))).as("stable").isEqualTo(shard);
      union.addAll(shard);
    }
    assertThat(union).as("disjoint").doesNotHaveDuplicates();
    assertThat(union).as("complete").containsExactlyInAnyOrderElementsOf(all);

    assertThat(lines(Cli.run("test", spec, "--list", "--shard", "1/1"))).isEqualTo(all);
  }

  /** The assignment is the documented one, so every machine (and every later version) agrees. */
  @Test
  void aTestsShardIsTheSha256OfItsSpecPathAndName() throws Exception {
    fiftyTests("fifty.star");
    String spec = Path.of("").toAbsolutePath().relativize(dir.resolve("fifty.star")).toString();
    for (int i = 1; i <= 4; i++) {
      Set<String> expected = new HashSet<>();
      for (int t = 0; t < 50; t++) {
        String test = "test_%02d".formatted(t);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest((spec + "\n" + test).getBytes(StandardCharsets.UTF_8));
        if (Long.remainderUnsigned(ByteBuffer.wrap(digest).getLong(), 4) + 1 == i) {
          expected.add(test);
        }
      }
      // the same spec named three ways lands in the same shards
      for (String named : List.of(spec, "./" + spec, dir.resolve("fifty.star").toString())) {
        assertThat(lines(Cli.run("test", named, "--list", "--shard", i + "/4"))).as(named)
            .containsExactlyInAnyOrderElementsOf(expected);
      }
    }
    assertThat(Shard.of("examples/quickstart.star\ntest_ping", 4)).as("pinned: a change reshuffles every CI matrix").isEqualTo(
        (int) Long.remainderUnsigned(ByteBuffer.wrap(MessageDigest.getInstance("SHA-256")
            .digest("examples/quickstart.star\ntest_ping".getBytes(StandardCharsets.UTF_8))).getLong(), 4) + 1);
  }

  @Test
  void aShardRunsOnlyItsTestsAndSeveralSpecsListWithTheirPaths() throws Exception {
    String a = fiftyTests("a.star");
    String b = fiftyTests("b.star");
    List<String> listed = lines(Cli.run("test", a, b, "--list", "--shard", "2/3"));
    assertThat(listed).isNotEmpty().allMatch(l -> l.matches("(" + a + "|" + b + ") test_\\d\\d"));
    List<String> union = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      union.addAll(lines(Cli.run("test", a, b, "--list", "--shard", i + "/3")));
    }
    assertThat(union).hasSize(100).doesNotHaveDuplicates();

    Cli run = Cli.run("test", a, "--shard", "2/3");
    assertThat(run.exit()).as(run.toString()).isZero();
    List<String> ran = run.out().lines().filter(l -> l.startsWith("--- PASS: "))
        .map(l -> l.substring("--- PASS: ".length(), l.indexOf(' ', "--- PASS: ".length()))).toList();
    assertThat(ran).isEqualTo(lines(Cli.run("test", a, "--list", "--shard", "2/3")));
    assertThat(run.out()).endsWith("\n" + ran.size() + " passed, 0 failed\n");

    String one = dir.resolve("one.star").toString();
    Files.writeString(Path.of(one), "def test_only():\n    assert_true(True)\n");
    int home = Shard.of(Shard.key(one) + "\ntest_only", 2);
    Cli elsewhere = Cli.run("test", one, "--shard", (3 - home) + "/2");
    assertThat(elsewhere.exit()).as("a shard with nothing to run passes: " + elsewhere).isZero();
    assertThat(elsewhere.out()).isEqualTo("\n0 passed, 0 failed\n");
    assertThat(Cli.run("test", one, "--shard", home + "/2").out()).contains("--- PASS: test_only");

    assertThat(lines(Cli.run("test", a, "--list", "--test", "test_4*", "--shard", "1/1")))
        .containsExactlyElementsOf(IntStream.range(40, 50).mapToObj(i -> "test_" + i).toList());
  }

  @Test
  void listStartsNothing() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Path spec = dir.resolve("taken.star");
      Files.writeString(spec, "m = mock_service(\"m\", interface(\"main\", \"tcp\", " + taken.getLocalPort() + "))\n"
          + "def test_x():\n    assert_true(True)\n");
      Cli list = Cli.run("test", spec.toString(), "--list");
      assertThat(list.exit()).as(list.toString()).isZero();
      assertThat(list.out()).isEqualTo("test_x\n");
      assertThat(Cli.run("test", spec.toString()).exit()).as("running it would find the port taken").isEqualTo(1);
    }
  }

  @Test
  void badShardsAreOneLineUsageErrors() throws Exception {
    String spec = fiftyTests("fifty.star");
    expectUsage(spec, "0/0", "error: --shard 0/0: n must be at least 1 (got n=0)");
    expectUsage(spec, "3/2", "error: --shard 3/2: i must be in 1..n (got i=3, n=2)");
    expectUsage(spec, "x", "error: --shard x: write it as i/n, such as 1/4 (the first of 4 shards)");
    expectUsage(spec, "1/0", "error: --shard 1/0: n must be at least 1 (got n=0)");
    expectUsage(spec, "-1/2", "error: --shard -1/2: i must be in 1..n (got i=-1, n=2)");
    expectUsage(spec, "0/3", "error: --shard 0/3: i must be in 1..n (got i=0, n=3)");
    expectUsage(spec, "1/2/3", "error: --shard 1/2/3: write it as i/n, such as 1/4 (the first of 4 shards)");
    expectUsage(spec, "99999999999/2", "error: --shard 99999999999/2: write it as i/n, such as 1/4 (the first of 4 shards)");
  }

  private static void expectUsage(String spec, String shard, String message) {
    for (String[] args : List.of(new String[] {"test", spec, "--shard", shard}, new String[] {"test", spec, "--shard=" + shard, "--list"})) {
      Cli r = Cli.run(args);
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.err()).isEqualTo(message + "\n");
      assertThat(r.out()).isEmpty();
    }
  }
}
