package dev.faultbox.plugin.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.faultbox.plugin.support.Json;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official Node.js driver (npm {@code mongodb} 7, which wants wire version 9 or more) from a
 * small script. npm installs it once into {@code target/node-driver}; the test is skipped where
 * node or npm is missing or the package cannot be installed.
 */
class NodeDriverTest extends MockTestSupport {

  private static final Path DRIVER = Path.of("target", "node-driver");

  @Test
  void theNodeDriverConnectsQueriesAndWrites() throws Exception {
    assumeTrue(onPath("node") && onPath("npm"), "node and npm are not installed");
    assumeTrue(installed(), "npm could not install the mongodb package");
    Path script = DRIVER.resolve("driver-check.js");
    try (var in = getClass().getResourceAsStream("/node/driver-check.js")) {
      Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    int port = start(PAGE_SEED);
    Process node = new ProcessBuilder("node", script.getFileName().toString(),
        "mongodb://127.0.0.1:" + port + "/?directConnection=true")
        .directory(DRIVER.toFile()).redirectErrorStream(true).start();
    assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("the script ends").isTrue();
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(node.exitValue()).as(output).isZero();
    @SuppressWarnings("unchecked")
    Map<String, Object> seen = (Map<String, Object>) Json.parse(output.substring(output.lastIndexOf('\n') + 1));
    assertThat(seen).containsEntry("admins", List.of("alice")).containsEntry("count", 3L)
        .containsEntry("duplicate", 11000L).containsEntry("modified", 1L).containsEntry("deleted", 1L);
    assertThat(seen.get("byRole")).isEqualTo(List.of(Map.of("_id", "admin", "n", 1L), Map.of("_id", "user", "n", 2L)));
    assertThat(context.recorded()).extracting(e -> e.op()).contains("find", "insert", "aggregate", "update", "delete");
  }

  private static boolean installed() throws IOException, InterruptedException {
    if (Files.isDirectory(DRIVER.resolve("node_modules/mongodb"))) {
      return true;
    }
    Files.createDirectories(DRIVER);
    Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error",
        "mongodb@7").directory(DRIVER.toFile()).redirectErrorStream(true)
        .redirectOutput(DRIVER.resolve("npm-install.log").toFile()).start();
    if (!npm.waitFor(180, TimeUnit.SECONDS)) {
      npm.destroyForcibly();
      return false;
    }
    return npm.exitValue() == 0 && Files.isDirectory(DRIVER.resolve("node_modules/mongodb"));
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
