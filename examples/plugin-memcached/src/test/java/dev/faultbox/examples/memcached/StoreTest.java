package dev.faultbox.examples.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The store's semantics on a clock the test moves. */
class StoreTest {

  private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
  private final Store store = new Store(now::get);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private String value(String key) {
    Store.Item item = store.get(key);
    return item == null ? null : new String(item.value(), StandardCharsets.US_ASCII);
  }

  @Test
  void relativeAndAbsoluteExptimes() {
    store.put("rel", b("1"), 0, 10);
    store.put("abs", b("2"), 0, now.get() / 1000 + Store.RELATIVE_LIMIT_SECONDS + 5);
    store.put("past", b("3"), 0, now.get() / 1000 - 5);
    store.put("never", b("4"), 0, 0);
    assertThat(value("past")).as("an absolute time gone by").isNull();
    now.addAndGet(10_000);
    assertThat(value("rel")).isNull();
    assertThat(value("abs")).isEqualTo("2");
    now.addAndGet((Store.RELATIVE_LIMIT_SECONDS + 5) * 1000);
    assertThat(value("abs")).isNull();
    assertThat(value("never")).isEqualTo("4");
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void touchAndDelayedFlush() {
    store.put("a", b("1"), 0, 5);
    store.put("b", b("2"), 0, 0);
    assertThat(store.touch("a", 100)).isTrue();
    store.flushAll(50);
    now.addAndGet(49_000);
    assertThat(value("a")).isEqualTo("1");
    assertThat(value("b")).isEqualTo("2");
    now.addAndGet(1_000);
    assertThat(value("a")).isNull();
    assertThat(value("b")).isNull();
  }

  @Test
  void countersAreUnsigned64Bit() {
    store.put("n", b("18446744073709551614"), 3, 0);
    assertThat(store.count("n", 1, true).value()).isEqualTo(-1L); // 2^64 - 1, unsigned
    assertThat(value("n")).isEqualTo("18446744073709551615");
    assertThat(store.count("n", 1, true).value()).isZero();
    assertThat(store.count("n", 5, false).value()).isZero();
    assertThat(store.get("n").flags()).as("kept").isEqualTo(3);
    store.put("text", b("12a"), 0, 0);
    assertThat(store.count("text", 1, true).numeric()).isFalse();
    assertThat(store.count("absent", 1, true).found()).isFalse();
  }

  @Test
  void everyChangeTakesANewCasUnique() {
    store.put("k", b("v"), 0, 0);
    long first = store.get("k").cas();
    assertThat(store.store(Store.Mode.CAS, "k", 0, 0, b("w"), first + 1)).isEqualTo(Store.Stored.EXISTS);
    assertThat(store.store(Store.Mode.CAS, "k", 0, 0, b("w"), first)).isEqualTo(Store.Stored.STORED);
    long second = store.get("k").cas();
    assertThat(second).isGreaterThan(first);
    store.count("k", 0, true); // not numeric: no change
    assertThat(store.store(Store.Mode.APPEND, "k", 0, 0, b("x"), 0)).isEqualTo(Store.Stored.STORED);
    assertThat(store.get("k").cas()).isGreaterThan(second);
    assertThat(store.delete("k")).isTrue();
    assertThat(store.store(Store.Mode.CAS, "k", 0, 0, b("w"), first)).isEqualTo(Store.Stored.NOT_FOUND);
  }
}
