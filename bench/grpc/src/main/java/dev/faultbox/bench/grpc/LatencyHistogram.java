package dev.faultbox.bench.grpc;

/**
 * Latencies in nanoseconds, counted in log-linear buckets: exact below 256 ns, then 128 buckets
 * per power of two, so a percentile is within 1% of the true value. The maximum is kept exactly.
 * Not thread-safe: each caller of the load client has its own, merged at the end.
 */
final class LatencyHistogram {
  private static final int SUB_BITS = 7;
  private static final int SUB = 1 << SUB_BITS; // 128
  private static final int BUCKETS = (63 - SUB_BITS) * SUB + 2 * SUB;

  private final long[] counts = new long[BUCKETS];
  private long total;
  private long max;
  private double sum;

  void record(long nanos) {
    long v = Math.max(0, nanos);
    counts[index(v)]++;
    total++;
    sum += v;
    if (v > max) {
      max = v;
    }
  }

  void add(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
    sum += other.sum;
    max = Math.max(max, other.max);
  }

  long count() {
    return total;
  }

  long maxNanos() {
    return max;
  }

  double meanNanos() {
    return total == 0 ? 0 : sum / total;
  }

  /** The value at percentile p (0 < p <= 100): the middle of the bucket holding that rank. */
  long percentileNanos(double p) {
    if (total == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(p / 100.0 * total));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min(max, middle(i));
      }
    }
    return max;
  }

  static int index(long v) {
    if (v < 2 * SUB) {
      return (int) v;
    }
    int shift = (63 - Long.numberOfLeadingZeros(v)) - SUB_BITS; // >= 1
    return shift * SUB + (int) (v >>> shift);
  }

  private static long middle(int index) {
    if (index < 2 * SUB) {
      return index;
    }
    int shift = index / SUB - 1;
    long low = (long) (index - shift * SUB) << shift;
    return low + ((1L << shift) >>> 1);
  }
}
