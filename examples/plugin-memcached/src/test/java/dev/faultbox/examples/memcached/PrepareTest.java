package dev.faultbox.examples.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StarlarkLibrary;
import dev.faultbox.testkit.MockDefinitionBuilder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the plugin declares, and the definitions prepare() takes or refuses. */
class PrepareTest {

  private final MemcachedPlugin plugin = new MemcachedPlugin();
  private final MemcachedFactory factory = (MemcachedFactory) plugin.protocols().get(0);

  private static MockDefinition withConfig(String key, Object value) {
    return MockDefinitionBuilder.mock("cache", "memcached", 11211).config(key, value).build();
  }

  private String refusal(MockDefinition d) {
    try {
      factory.prepare(d);
    } catch (InvalidMockException e) {
      assertThat(e.getMessage()).doesNotContain("\n");
      return e.getMessage();
    }
    throw new AssertionError("prepare took " + d);
  }

  @Test
  void theDeclaration() {
    assertThat(plugin.id()).isEqualTo("memcached");
    assertThat(plugin.spiVersion()).isEqualTo(SpiVersion.CURRENT);
    assertThat(factory.name()).isEqualTo("memcached");
    assertThat(factory.transport()).isEqualTo(ProtocolFactory.Transport.STREAM);
    assertThat(factory.supportsTls()).isFalse();
    assertThat(factory.faultModel().matchers())
        .containsExactlyInAnyOrderEntriesOf(Map.of("command", FaultModel.Match.GLOB, "key", FaultModel.Match.GLOB));
    assertThat(factory.steps()).containsOnlyKeys("get", "set", "delete", "stats");
  }

  @Test
  void theStateSeedsStrBytesAndInts() throws Exception {
    MemcachedFactory.Prepared p = factory.prepare(withConfig("state",
        Map.of("s", "héllo", "b", new byte[] {1, 2}, "n", 42L, "ключ", "v")));
    assertThat(new String(p.state().get("s"), StandardCharsets.UTF_8)).isEqualTo("héllo");
    assertThat(p.state().get("b")).containsExactly(1, 2);
    assertThat(new String(p.state().get("n"), StandardCharsets.US_ASCII)).isEqualTo("42");
    assertThat(p.state()).containsKey(Keys.wire("ключ"));
    assertThat(factory.prepare(MockDefinitionBuilder.mock("cache", "memcached", 1).build()).state()).isEmpty();
  }

  @Test
  void badConfigsFailWithOneLineNamingWhatIsAccepted() {
    assertThat(refusal(withConfig("items", Map.of())))
        .isEqualTo("memcached mock config has no key \"items\"; accepted: state");
    assertThat(refusal(withConfig("state", List.of("a"))))
        .isEqualTo("memcached mock config state must be a dict of key to str, bytes or int, got list");
    assertThat(refusal(withConfig("state", Map.of("k", 1.5))))
        .isEqualTo("memcached mock state value of \"k\" must be a str, bytes or int, got float");
    assertThat(refusal(withConfig("state", Map.of("a key", "v"))))
        .isEqualTo("memcached mock state key \"a key\": a key has a space or control character");
    assertThat(refusal(withConfig("state", Map.of("k".repeat(251), "v")))).endsWith("a key is longer than 250 bytes");
    assertThat(refusal(withConfig("state", Map.of("big", "v".repeat(CommandDecoder.MAX_ITEM_BYTES + 1)))))
        .endsWith("is larger than 1048576 bytes, the item size limit");
    assertThat(refusal(MockDefinitionBuilder.mock("cache", "memcached", 1).route("get", "x").build()))
        .startsWith("a memcached mock takes no routes");
  }

  @Test
  void theLibrariesAreShipped() {
    assertThat(plugin.libraries()).extracting(StarlarkLibrary::path)
        .containsExactly("mocks/memcached.star", "recipes/memcached.star");
    assertThat(plugin.libraries()).noneMatch(StarlarkLibrary::prelude);
    assertThat(plugin.libraries().get(0).source())
        .contains("def _server(name, interface, state = {}, depends_on = []):")
        .contains("mock_service(name, interface, config = {\"state\": state}, depends_on = depends_on)")
        .contains("memcached = struct(");
    assertThat(plugin.libraries().get(1).source())
        .contains("memcached_faults = struct(")
        .contains("unavailable = _unavailable").contains("slow = _slow").contains("connection_drop = _connection_drop");
  }
}
