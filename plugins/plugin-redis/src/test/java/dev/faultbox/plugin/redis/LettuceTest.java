package dev.faultbox.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.kernel.tls.TlsAuthority;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The mock against Lettuce, which speaks RESP3 (HELLO 3) unless told otherwise. */
class LettuceTest extends MockTestSupport {

  /** One mock CA for the test JVM, as the kernel keeps one per run. */
  static final TlsAuthority CA = TlsAuthority.create();

  private final List<RedisClient> clients = new ArrayList<>();

  @AfterEach
  void shutdownClients() {
    clients.forEach(c -> c.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
  }

  private StatefulRedisConnection<String, String> connect(RedisURI uri, Consumer<ClientOptions.Builder> options) {
    uri.setTimeout(WAIT);
    RedisClient client = RedisClient.create(uri);
    clients.add(client);
    ClientOptions.Builder b = ClientOptions.builder();
    options.accept(b);
    client.setOptions(b.build());
    return client.connect();
  }

  private StatefulRedisConnection<String, String> connect(int port) {
    return connect(RedisURI.create("127.0.0.1", port), b -> { });
  }

  @Test
  void stringsHashesListsSetsAndExpiryOverResp3() throws Exception {
    int port = start(Map.of("state", Map.of("greeting", "hello")));
    RedisCommands<String, String> redis = connect(port).sync();
    assertThat(context.recorded("HELLO")).as("Lettuce's handshake").isNotEmpty();
    assertThat(redis.get("greeting")).isEqualTo("hello");
    assertThat(redis.set("k", "v", SetArgs.Builder.nx().ex(100))).isEqualTo("OK");
    assertThat(redis.set("k", "w", SetArgs.Builder.nx())).isNull();
    assertThat(redis.ttl("k")).isBetween(99L, 100L);
    assertThat(redis.persist("k")).isTrue();
    assertThat(redis.ttl("k")).isEqualTo(-1L);
    assertThat(redis.incr("n")).isEqualTo(1L);
    assertThat(redis.incrby("n", 41)).isEqualTo(42L);
    assertThat(redis.incrbyfloat("f", 1.5)).isEqualTo(1.5);
    assertThat(redis.mset(Map.of("a", "1", "b", "2"))).isEqualTo("OK");
    assertThat(redis.mget("a", "b", "nope")).extracting(kv -> kv.getValueOrElse(null)).containsExactly("1", "2", null);
    assertThat(redis.getdel("a")).isEqualTo("1");
    assertThat(redis.exists("a", "b")).isEqualTo(1L);

    assertThat(redis.hset("h", Map.of("f1", "v1", "f2", "v2"))).isEqualTo(2L);
    assertThat(redis.hgetall("h")).isEqualTo(Map.of("f1", "v1", "f2", "v2"));
    assertThat(redis.hincrby("h", "c", 3)).isEqualTo(3L);
    assertThat(redis.hexists("h", "f1")).isTrue();
    assertThat(redis.hdel("h", "f1", "nope")).isEqualTo(1L);
    assertThat(redis.hkeys("h")).containsExactly("f2", "c");

    assertThat(redis.rpush("l", "a", "b", "c")).isEqualTo(3L);
    assertThat(redis.lpush("l", "z")).isEqualTo(4L);
    assertThat(redis.lrange("l", 0, -1)).containsExactly("z", "a", "b", "c");
    assertThat(redis.lpop("l", 2)).containsExactly("z", "a");
    assertThat(redis.lindex("l", -1)).isEqualTo("c");
    assertThat(redis.llen("l")).isEqualTo(2L);

    assertThat(redis.sadd("s", "x", "y", "x")).isEqualTo(2L);
    assertThat(redis.smembers("s")).isEqualTo(Set.of("x", "y"));
    assertThat(redis.sismember("s", "x")).isTrue();
    assertThat(redis.smismember("s", "x", "q")).containsExactly(true, false);
    assertThat(redis.scard("s")).isEqualTo(2L);

    assertThat(redis.expire("s", 1)).isTrue();
    assertThat(redis.pttl("s")).isBetween(1L, 1000L);
    assertThat(redis.type("h")).isEqualTo("hash");
    assertThat(redis.dbsize()).isEqualTo(8L); // greeting k n f b h l s
    assertThatThrownBy(() -> redis.incr("h")).hasMessageContaining("WRONGTYPE");
  }

  @Test
  void transactionsAndWatch() throws Exception {
    int port = start(Map.of());
    StatefulRedisConnection<String, String> connection = connect(port);
    RedisCommands<String, String> redis = connection.sync();
    RedisCommands<String, String> other = connect(port).sync();
    assertThat(redis.multi()).isEqualTo("OK");
    redis.set("a", "1");
    redis.incr("a");
    redis.hset("h", "f", "v");
    TransactionResult result = redis.exec();
    assertThat(result.wasDiscarded()).isFalse();
    assertThat(result.<Object>get(0)).isEqualTo("OK");
    assertThat(result.<Object>get(1)).isEqualTo(2L);
    assertThat(result.<Object>get(2)).isEqualTo(true);

    redis.watch("a");
    other.set("a", "changed");
    redis.multi();
    redis.incr("a");
    assertThat(redis.exec().wasDiscarded()).isTrue();
    assertThat(redis.get("a")).isEqualTo("changed");

    redis.multi();
    redis.set("b", "1");
    assertThat(redis.discard()).isEqualTo("OK");
    assertThat(redis.exists("b")).isEqualTo(0L);
  }

  @Test
  void asyncPipelineOfManyCommandsAnswersInOrder() throws Exception {
    int port = start(Map.of());
    StatefulRedisConnection<String, String> connection = connect(port);
    RedisAsyncCommands<String, String> async = connection.async();
    connection.setAutoFlushCommands(false);
    int n = 5000;
    List<RedisFuture<Long>> incrs = new ArrayList<>();
    List<RedisFuture<String>> sets = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      incrs.add(async.incr("counter"));
      sets.add(async.set("k" + i, "v" + i));
    }
    connection.flushCommands();
    assertThat(LettuceFutures.awaitAll(10, TimeUnit.SECONDS, incrs.toArray(RedisFuture[]::new))).isTrue();
    assertThat(LettuceFutures.awaitAll(10, TimeUnit.SECONDS, sets.toArray(RedisFuture[]::new))).isTrue();
    for (int i = 0; i < n; i++) {
      assertThat(incrs.get(i).get()).isEqualTo(i + 1L);
    }
    connection.setAutoFlushCommands(true);
    assertThat(async.dbsize().get(5, TimeUnit.SECONDS)).isEqualTo(n + 1L);
  }

  @Test
  void authenticatedConnection() throws Exception {
    int port = start(Map.of("password", "s3cret"));
    RedisCommands<String, String> redis = connect(RedisURI.builder().redis("127.0.0.1", port)
        .withPassword("s3cret".toCharArray()).build(), b -> { }).sync();
    assertThat(redis.ping()).isEqualTo("PONG");
    assertThat(redis.set("k", "v")).isEqualTo("OK");
    assertThatThrownBy(() -> connect(RedisURI.builder().redis("127.0.0.1", port)
        .withPassword("wrong".toCharArray()).build(), b -> { }))
        .isInstanceOf(RedisConnectionException.class);
  }

  @Test
  void resp2WhenForced() throws Exception {
    int port = start(Map.of("password", "pw"));
    RedisCommands<String, String> redis = connect(RedisURI.builder().redis("127.0.0.1", port)
        .withPassword("pw".toCharArray()).build(), b -> b.protocolVersion(ProtocolVersion.RESP2)).sync();
    assertThat(redis.hset("h", Map.of("a", "1"))).isEqualTo(1L);
    assertThat(redis.hgetall("h")).isEqualTo(Map.of("a", "1"));
    assertThat(redis.sadd("s", "m")).isEqualTo(1L);
    assertThat(redis.smembers("s")).containsExactly("m");
    assertThat(redis.incrbyfloat("f", 0.5)).isEqualTo(0.5);
    assertThat(redis.get("nope")).isNull();
    assertThat(context.recorded("HELLO")).as("RESP2 needs no HELLO").isEmpty();
    assertThat(context.recorded("AUTH")).hasSize(1);
  }

  @Test
  void redissWithTheMockCa() throws Exception {
    context.withTls(CA.issue("cache"));
    int port = start(cache(Map.of("state", Map.of("greeting", "over tls"))).tls(true).build());
    RedisURI uri = RedisURI.builder().redis("127.0.0.1", port).withSsl(true).withVerifyPeer(true).build();
    RedisCommands<String, String> redis = connect(uri, b -> b.sslOptions(SslOptions.builder().jdkSslProvider()
        .trustManager(CA.caFile().toFile()).build())).sync();
    assertThat(redis.get("greeting")).isEqualTo("over tls");
    assertThat(redis.hset("h", "f", "v")).isTrue();
    assertThat(redis.hgetall("h")).isEqualTo(Map.of("f", "v"));
  }
}
