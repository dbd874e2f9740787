package dev.faultbox.cli;

import dev.faultbox.kernel.SpecException;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --shard i/n}: the i-th of n disjoint parts of a run. A test's part depends only on its
 * spec's path and its name, through a fixed hash, so every machine of a CI matrix agrees.
 */
record Shard(int index, int count) {
  /** The whole run: one shard of one. */
  static final Shard ALL = new Shard(1, 1);

  private static final Pattern FORM = Pattern.compile("(-?\\d{1,9})/(-?\\d{1,9})");

  /** Reads {@code i/n}, or says in one line what is wrong with it. */
  static Shard parse(String text) throws SpecException {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new SpecException(null, "--shard " + text + ": write it as i/n, such as 1/4 (the first of 4 shards)");
    }
    int i = Integer.parseInt(m.group(1));
    int n = Integer.parseInt(m.group(2));
    if (n < 1) {
      throw new SpecException(null, "--shard " + text + ": n must be at least 1 (got n=" + n + ")");
    }
    if (i < 1 || i > n) {
      throw new SpecException(null, "--shard " + text + ": i must be in 1..n (got i=" + i + ", n=" + n + ")");
    }
    return new Shard(i, n);
  }

  /** Whether test {@code test} of the spec at {@code spec} (as given on the command line) is in this shard. */
  boolean includes(String spec, String test) {
    return of(key(spec) + "\n" + test, count) == index;
  }

  /** The shard, 1..n, of a key: the first 8 bytes of its SHA-256 as an unsigned number, mod n, plus one. */
  static int of(String key, int n) {
    long hash = ByteBuffer.wrap(sha256(key.getBytes(StandardCharsets.UTF_8))).getLong();
    return (int) Long.remainderUnsigned(hash, n) + 1;
  }

  /**
   * The spec's path relative to the working directory, normalized, with {@code /} between names:
   * {@code ./examples/a.star} and {@code /ci/checkout/examples/a.star} run from {@code /ci/checkout}
   * are both {@code examples/a.star}.
   */
  static String key(String spec) {
    Path cwd = Path.of("").toAbsolutePath();
    Path relative = cwd.relativize(Path.of(spec).toAbsolutePath().normalize());
    return relative.toString().replace(File.separatorChar, '/');
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
