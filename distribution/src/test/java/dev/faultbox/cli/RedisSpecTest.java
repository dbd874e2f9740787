package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.sut.Flags;
import dev.faultbox.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

  @Test
  void aServiceUsingJedisRunsAgainstTheMockWithEventsAndFaults() throws Exception {
    Path launcher = dir.resolve("flags.sh");
    Files.writeString(launcher, "#!/bin/sh\nexec java -cp '" + System.getProperty("java.class.path") + "' '"
        + Flags.class.getName() + "'\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    int cache = FreePorts.tcp();
    int api = FreePorts.tcp();
    Path spec = dir.resolve("flags.star");
    Files.writeString(spec, """
        load("@faultbox/mocks/redis.star", "redis")
        load("@faultbox/recipes/redis.star", redis_recipe = "redis")

        cache = redis.server("cache", interface = interface("main", "redis", %1$d),
                             state = {"flag:checkout": "on", "flag:search": "off"}, password = "s3cret")

        api = service("api", "./flags.sh",
            interface("public", "http", %2$d),
            depends_on = [cache],
            env = {"REDIS_ADDR": cache.main.addr, "REDIS_PASSWORD": "s3cret", "PORT": str(%2$d)},
            healthcheck = http("localhost:%2$d/health"),
        )

        def test_flags_come_from_redis():
            assert_eq(api.get(path = "/flag/checkout").json["enabled"], True)
            assert_eq(api.get(path = "/flag/search").json["enabled"], False)
            assert_eq(api.get(path = "/flag/nope").status, 404)
            assert_eq(events().where(service = "cache", op = "GET", key = "flag:*").count(), 3)
            assert_eq(events().where(service = "cache", op = "AUTH").count() >= 1, True)

        def test_visits_count_with_a_real_ttl():
            assert_eq(api.post(path = "/visit").json["visits"], 1)
            assert_eq(api.post(path = "/visit").json["visits"], 2)
            ttl = cache.main.command(cmd = "TTL", args = ["visits"], password = "s3cret").json["value"]
            assert_true(ttl > 0 and ttl <= 60, "ttl " + str(ttl))
            assert_eq(events().where(service = "cache", op = "EXPIRE", key = "visits").count(), 2)

        def test_loading_redis_gives_503():
            r = fault(cache.main, redis_recipe.loading(key = "flag:*"), run = lambda: api.get(path = "/flag/checkout"))
            assert_eq(r.status, 503)
            assert_eq(api.post(path = "/visit").status, 200)  # other keys are served
            assert_eventually(events().where(service = "api", type = "stderr", line = "redis failed: LOADING*").count() == 1)
        """.formatted(cache, api));
    Cli r = Cli.run("test", spec.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).endsWith("3 passed, 0 failed\n");
  }

  @Test
  void withTlsTheMockServesRedissAndStepsTrustTheMockCa() throws Exception {
    int port = FreePorts.tcp();
    Path spec = dir.resolve("tls.star");
    Files.writeString(spec, """
        load("@faultbox/mocks/redis.star", "redis")

        cache = redis.server("cache", interface("main", "redis", %d), state = {"k": "v"}, tls = True)

        def test_over_tls():
            assert_eq(cache.main.get(key = "k").json["value"], "v")
            assert_eq(cache.main.command(cmd = "HELLO", args = ["3"]).json["value"]["proto"], 3)
            assert_eq(events().where(service = "cache", op = "GET", key = "k").count(), 1)
        """.formatted(port));
    Cli r = Cli.run("test", spec.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).endsWith("1 passed, 0 failed\n");
  }
}
