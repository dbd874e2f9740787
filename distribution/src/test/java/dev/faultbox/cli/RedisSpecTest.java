package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference page's Redis mock, as written but on a free port, driven from a spec. */
class RedisSpecTest {
  @TempDir Path dir;

  @Test
  void thePagesRedisServerServesItsSeededStateWithEventsAndRecipes() throws Exception {
    int port = FreePorts.tcp();
    Path spec = dir.resolve("cache.star");
    Files.writeString(spec, """
        load("@faultbox/mocks/redis.star", "redis")
        load("@faultbox/recipes/redis.star", redis_recipe = "redis")

        cache = redis.server("cache", interface = interface("main", "redis", %d),
                                      state = {"feature:new": "true"})

        def test_seeded():
            assert_eq(cache.main.get(key = "feature:new").json["value"], "true")
            assert_eq(events().where(service = "cache", op = "GET", key = "feature:*").count(), 1)

        def test_writes_and_counters():
            cache.main.set(key = "n", value = "41")
            assert_eq(cache.main.incr(key = "n").json["value"], 42)

        def test_oom():
            r = fault(cache.main, redis_recipe.oom(), run = lambda: cache.main.set(key = "k", value = "v"))
            assert_true(not r.ok and "OOM" in r.error, r.error)
        """.formatted(port));
    Cli r = Cli.run("test", spec.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("3 passed, 0 failed");
  }
}
