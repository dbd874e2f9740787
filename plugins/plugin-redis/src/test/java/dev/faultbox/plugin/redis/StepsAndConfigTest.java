package dev.faultbox.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.StarlarkLibrary;
import dev.faultbox.spi.StepException;
import dev.faultbox.spi.StepResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The steps, config= checks, and the Starlark files the plugin ships. */
class StepsAndConfigTest extends MockTestSupport {

  private StepResult.Response call(int port, String step, Map<String, Object> kwargs) {
    Endpoint at = Endpoint.plain("cache", "main", "redis", "127.0.0.1", port);
    return (StepResult.Response) factory.steps().get(step).call(at, kwargs);
  }

  @Test
  void stepsAnswerValueJson() throws Exception {
    int port = start(Map.of("state", Map.of("greeting", "hello", "n", 1L)));
    StepResult.Response get = call(port, "get", Map.of("key", "greeting"));
    assertThat(get.ok()).isTrue();
    assertThat(get.status()).isZero();
    assertThat(get.bodyText()).isEqualTo("{\"value\":\"hello\"}");
    assertThat(call(port, "get", Map.of("key", "nope")).bodyText()).isEqualTo("{\"value\":null}");
    assertThat(call(port, "set", Map.of("key", "k", "value", "v", "ttl", "30s")).bodyText()).isEqualTo("{\"value\":\"OK\"}");
    assertThat(call(port, "command", Map.of("cmd", "TTL", "args", List.of("k"))).bodyText()).isEqualTo("{\"value\":30}");
    assertThat(call(port, "incr", Map.of("key", "n")).bodyText()).isEqualTo("{\"value\":2}");
    assertThat(call(port, "ping", Map.of()).bodyText()).isEqualTo("{\"value\":\"PONG\"}");
    assertThat(call(port, "del", Map.of("key", "k")).bodyText()).isEqualTo("{\"value\":1}");
    call(port, "rpush", Map.of("key", "l", "value", "a"));
    call(port, "rpush", Map.of("key", "l", "value", "b"));
    assertThat(call(port, "lrange", Map.of("key", "l")).bodyText()).isEqualTo("{\"value\":[\"a\",\"b\"]}");
    call(port, "hset", Map.of("key", "h", "field", "f", "value", "x"));
    assertThat(call(port, "hget", Map.of("key", "h", "field", "f")).bodyText()).isEqualTo("{\"value\":\"x\"}");
    assertThat(call(port, "keys", Map.of("pattern", "gree*")).bodyText()).isEqualTo("{\"value\":[\"greeting\"]}");
    StepResult.Response wrong = call(port, "incr", Map.of("key", "greeting"));
    assertThat(wrong.ok()).isFalse();
    assertThat(wrong.error()).isEqualTo("ERR value is not an integer or out of range");
    assertThatThrownBy(() -> call(port, "get", Map.of())).isInstanceOf(StepException.class).hasMessage("get() requires key=");
    assertThatThrownBy(() -> call(port, "get", Map.of("key", "k", "nope", 1L))).isInstanceOf(StepException.class);
  }

  @Test
  void stepsAuthenticateWithPassword() throws Exception {
    int port = start(Map.of("password", "pw"));
    assertThat(call(port, "ping", Map.of()).error()).isEqualTo("NOAUTH Authentication required.");
    assertThat(call(port, "ping", Map.of("password", "pw")).ok()).isTrue();
    assertThat(call(port, "ping", Map.of("user", "default", "password", "pw")).ok()).isTrue();
  }

  @Test
  void aStepToNoServerFailsWithoutThrowing() {
    StepResult.Response r = call(dev.faultbox.testkit.FreePorts.tcp(), "ping", Map.of());
    assertThat(r.ok()).isFalse();
    assertThat(r.error()).contains("failed");
  }

  @Test
  void configIsCheckedInPrepareWithOneLine() throws Exception {
    assertThatThrownBy(() -> factory.prepare(cache(Map.of("topics", 1L)).build()))
        .isInstanceOf(InvalidMockException.class)
        .hasMessage("redis mock config has no key \"topics\"; accepted: databases, password, state");
    assertThatThrownBy(() -> factory.prepare(cache(Map.of("databases", 0L)).build()))
        .hasMessageContaining("\"databases\" must be in 1..1024");
    assertThatThrownBy(() -> factory.prepare(cache(Map.of("state", "x")).build()))
        .hasMessageContaining("\"state\" must be a dict");
    assertThatThrownBy(() -> factory.prepare(cache(Map.of("state", Map.of("k", Map.of("value", "v", "ttl", "soon")))).build()))
        .hasMessageContaining("ttl must be a positive duration");
    assertThatThrownBy(() -> factory.prepare(cache(Map.of("password", 1L)).build()))
        .hasMessageContaining("\"password\" must be a non-empty str");
    assertThatThrownBy(() -> factory.prepare(cache(Map.of()).route("GET", "x").build()))
        .hasMessageContaining("takes no routes");
    Map<String, Object> config = new HashMap<>();
    config.put("password", null);
    config.put("databases", 4L);
    assertThat(settingsOf(config).databases()).isEqualTo(4);
  }

  private RedisSettings settingsOf(Map<String, Object> config) throws InvalidMockException {
    return factory.prepare(cache(config).build()).settings();
  }

  @Test
  void databasesConfigBoundsSelect() throws Exception {
    int port = start(Map.of("databases", 2L));
    assertThat(call(port, "command", Map.of("cmd", "SELECT", "args", List.of(1L))).ok()).isTrue();
    assertThat(call(port, "command", Map.of("cmd", "SELECT", "args", List.of(2L))).error())
        .isEqualTo("ERR DB index is out of range");
  }

  @Test
  void theLibrariesDefineTheServerAndTheRecipes() {
    Map<String, String> byPath = new HashMap<>();
    for (StarlarkLibrary lib : plugin.libraries()) {
      byPath.put(lib.path(), lib.source());
    }
    assertThat(byPath).containsOnlyKeys("mocks/redis.star", "recipes/redis.star");
    assertThat(byPath.get("mocks/redis.star"))
        .contains("def _server(name, interface, state = {}, password = None, databases = 16, depends_on = [], tls = False):")
        .contains("redis = struct(server = _server)");
    String recipes = byPath.get("recipes/redis.star");
    for (String recipe : List.of("oom", "loading", "busy", "readonly_replica", "noauth", "wrongtype",
        "cluster_down", "slow_command", "connection_drop")) {
      assertThat(recipes).contains("def _" + recipe + "(").contains("    " + recipe + " = _" + recipe + ",");
    }
    assertThat(recipes).contains("redis = redis_faults")
        .contains("OOM command not allowed when used memory > 'maxmemory'.");
  }
}
