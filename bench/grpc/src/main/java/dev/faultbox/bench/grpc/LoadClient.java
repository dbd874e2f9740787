package dev.faultbox.bench.grpc;

import dev.faultbox.bench.grpc.flags.Flag;
import dev.faultbox.bench.grpc.flags.FlagsGrpc;
import dev.faultbox.bench.grpc.flags.GetFlagRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load generator of bench/run-grpc.sh: closed-loop unary calls to bench.flags.v1.Flags/Get.
 *
 * <pre>
 * LoadClient --target 127.0.0.1:PORT --seconds N --concurrency C [--warmup W] [--channels K]
 * LoadClient --target 127.0.0.1:PORT --probe [--timeout S] [--poll S]
 * </pre>
 *
 * <p>Load: C callers, spread over K channels (HTTP/2 connections; default min(C, 2)), each with
 * one call in flight at a time: it sends the next call when the previous one completes, like one
 * wrk connection. The first W seconds are a warm-up whose calls are not counted; then every call
 * started in the next N seconds is timed into a histogram. Nothing is sent after W + N seconds.
 * Prints one JSON line: calls/s, p50/p99/max/mean in ms, errors.
 *
 * <p>Probe: prints {@code READY} once its JVM is up, then tries one call every S seconds (default
 * 0.01), each on a new connection so that no reconnect back-off delays it, until one succeeds or
 * the timeout (default 60 s) passes. Prints one JSON line with the wall-clock time of the first
 * successful call in microseconds since the epoch, and whether the reply is the expected Flag.
 */
public final class LoadClient {

  private static final GetFlagRequest REQUEST =
      GetFlagRequest.newBuilder().setName("checkout").build();

  private LoadClient() {}

  public static void main(String[] args) throws Exception {
    String target = null;
    double seconds = 10;
    double warmup = 0;
    int concurrency = 1;
    int channels = 0;
    boolean probe = false;
    double timeout = 60;
    double poll = 0.01;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--probe" -> probe = true;
        case "--target" -> target = value(args, ++i, a);
        case "--seconds" -> seconds = Double.parseDouble(value(args, ++i, a));
        case "--warmup" -> warmup = Double.parseDouble(value(args, ++i, a));
        case "--concurrency" -> concurrency = Integer.parseInt(value(args, ++i, a));
        case "--channels" -> channels = Integer.parseInt(value(args, ++i, a));
        case "--timeout" -> timeout = Double.parseDouble(value(args, ++i, a));
        case "--poll" -> poll = Double.parseDouble(value(args, ++i, a));
        default -> usage("unknown argument '" + a + "'");
      }
    }
    if (target == null) {
      usage("--target is required");
    }
    int colon = target.lastIndexOf(':');
    if (colon <= 0) {
      usage("--target must be HOST:PORT");
    }
    String host = target.substring(0, colon);
    int port = Integer.parseInt(target.substring(colon + 1));
    if (probe) {
      System.exit(probe(target, host, port, timeout, poll) ? 0 : 1);
    }
    if (seconds <= 0 || warmup < 0 || concurrency < 1 || channels < 0) {
      usage("--seconds and --concurrency must be positive, --warmup and --channels not negative");
    }
    if (channels == 0) {
      channels = Math.min(concurrency, 2);
    }
    load(target, host, port, seconds, warmup, concurrency, channels);
  }

  private static String value(String[] args, int i, String name) {
    if (i >= args.length) {
      usage(name + " needs a value");
    }
    return args[i];
  }

  private static void usage(String problem) {
    System.err.println("LoadClient: " + problem);
    System.err.println(
        "usage: LoadClient --target HOST:PORT --seconds N --concurrency C [--warmup W] [--channels K]\n"
            + "       LoadClient --target HOST:PORT --probe [--timeout S] [--poll S]");
    System.exit(2);
  }

  private static ManagedChannel channel(String host, int port) {
    // Callbacks run on the transport thread: the client adds no thread hop of its own.
    return NettyChannelBuilder.forAddress(host, port).usePlaintext().directExecutor().build();
  }

  // ------------------------------------------------------------------------------------ load

  /** One closed-loop caller: at most one call in flight; its fields are touched by one call at a time. */
  private static final class Caller implements StreamObserver<Flag> {
    private final FlagsGrpc.FlagsStub stub;
    private final long measureStart;
    private final long end;
    private final CountDownLatch done;
    private final ScheduledExecutorService retry;
    private final AtomicReference<String> firstError;
    final LatencyHistogram histogram = new LatencyHistogram();
    long errors;
    long lastEnd;
    private long started;

    Caller(FlagsGrpc.FlagsStub stub, long measureStart, long end, CountDownLatch done,
        ScheduledExecutorService retry, AtomicReference<String> firstError) {
      this.stub = stub;
      this.measureStart = measureStart;
      this.end = end;
      this.done = done;
      this.retry = retry;
      this.firstError = firstError;
    }

    void next() {
      long now = System.nanoTime();
      if (now - end >= 0) {
        done.countDown();
        return;
      }
      started = now;
      stub.get(REQUEST, this);
    }

    @Override
    public void onNext(Flag value) {}

    @Override
    public void onCompleted() {
      long now = System.nanoTime();
      if (started - measureStart >= 0) {
        histogram.record(now - started);
        lastEnd = now;
      }
      next();
    }

    @Override
    public void onError(Throwable t) {
      long now = System.nanoTime();
      if (started - measureStart >= 0) {
        errors++;
        lastEnd = now;
        firstError.compareAndSet(null, Status.fromThrowable(t).toString());
      }
      // Not inline: a call that fails at once would recurse; and no busy loop on a dead server.
      retry.schedule(this::next, 1, TimeUnit.MILLISECONDS);
    }
  }

  private static void load(String target, String host, int port, double seconds, double warmup,
      int concurrency, int channelCount) throws InterruptedException {
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < channelCount; i++) {
      channels.add(channel(host, port));
    }
    ScheduledExecutorService retry = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "load-retry");
      t.setDaemon(true);
      return t;
    });
    AtomicReference<String> firstError = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(concurrency);
    long t0 = System.nanoTime();
    long measureStart = t0 + (long) (warmup * 1e9);
    long end = measureStart + (long) (seconds * 1e9);
    List<Caller> callers = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      FlagsGrpc.FlagsStub stub = FlagsGrpc.newStub(channels.get(i % channelCount));
      callers.add(new Caller(stub, measureStart, end, done, retry, firstError));
    }
    for (Caller c : callers) {
      c.next();
    }
    // Every caller stops sending at `end`; give the last calls 10 s to come back.
    long waitNanos = end - System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    boolean finished = done.await(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
    long stragglers = finished ? 0 : done.getCount();

    LatencyHistogram all = new LatencyHistogram();
    long errors = stragglers;
    long lastEnd = measureStart;
    for (Caller c : callers) {
      all.add(c.histogram);
      errors += c.errors;
      if (c.lastEnd - lastEnd > 0) {
        lastEnd = c.lastEnd;
      }
    }
    for (ManagedChannel ch : channels) {
      ch.shutdownNow();
    }
    for (ManagedChannel ch : channels) {
      ch.awaitTermination(5, TimeUnit.SECONDS);
    }
    retry.shutdownNow();

    double elapsed = Math.max(seconds, (lastEnd - measureStart) / 1e9);
    String error = firstError.get();
    if (!finished) {
      error = stragglers + " call(s) still open 10 s after the end" + (error == null ? "" : "; " + error);
    }
    System.out.println(String.format(Locale.ROOT,
        "{\"target\": \"%s\", \"concurrency\": %d, \"channels\": %d, \"warmup_s\": %s, \"seconds\": %s, "
            + "\"elapsed_s\": %.3f, \"calls\": %d, \"errors\": %d, \"calls_per_s\": %.1f, "
            + "\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, \"mean_ms\": %.3f, \"first_error\": %s}",
        json(target), concurrency, channelCount, num(warmup), num(seconds), elapsed, all.count(),
        errors, all.count() / elapsed, all.percentileNanos(50) / 1e6, all.percentileNanos(99) / 1e6,
        all.maxNanos() / 1e6, all.meanNanos() / 1e6, error == null ? "null" : "\"" + json(error) + "\""));
  }

  // ------------------------------------------------------------------------------------ probe

  private static boolean probe(String target, String host, int port, double timeout, double poll)
      throws InterruptedException {
    long deadline = System.nanoTime() + (long) (timeout * 1e9);
    long pollNanos = Math.max(1_000_000L, (long) (poll * 1e9));
    long attempts = 0;
    String lastError = null;
    boolean ready = false;
    while (true) {
      attempts++;
      ManagedChannel ch = channel(host, port);
      try {
        Flag reply = FlagsGrpc.newBlockingStub(ch).withDeadlineAfter(1, TimeUnit.SECONDS).get(REQUEST);
        long at = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        if (!ready) {
          System.out.println("READY");
        }
        boolean match = PlainServer.FLAG.equals(reply);
        System.out.println(String.format(Locale.ROOT,
            "{\"target\": \"%s\", \"ok\": true, \"success_epoch_us\": %d, \"attempts\": %d, "
                + "\"match\": %s, \"reply\": \"%s\"}",
            json(target), at, attempts, match, json(reply.toString().trim().replace('\n', ' '))));
        return true;
      } catch (RuntimeException e) {
        lastError = Status.fromThrowable(e).toString();
      } finally {
        ch.shutdownNow();
      }
      if (!ready) {
        // The first attempt has loaded the classes: from now on the probe is as quick as it gets.
        System.out.println("READY");
        System.out.flush();
        ready = true;
      }
      if (System.nanoTime() - deadline >= 0) {
        break;
      }
      Thread.sleep(pollNanos / 1_000_000L, (int) (pollNanos % 1_000_000L));
    }
    System.out.println(String.format(Locale.ROOT,
        "{\"target\": \"%s\", \"ok\": false, \"attempts\": %d, \"error\": \"%s\"}",
        json(target), attempts, json("no successful call within " + num(timeout) + " s; last: " + lastError)));
    return false;
  }

  private static String num(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static String json(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
