package dev.faultbox.bench.grpc;

import dev.faultbox.bench.grpc.flags.Flag;
import dev.faultbox.bench.grpc.flags.FlagsGrpc;
import dev.faultbox.bench.grpc.flags.GetFlagRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The streaming load of bench/run-grpc.sh: messages per second over C concurrent streams, each
 * opening the next call when the previous one ends.
 *
 * <pre>
 * StreamClient --target 127.0.0.1:PORT --mode watch|chat --seconds N [--warmup W]
 *              [--concurrency C] [--rounds R]
 * </pre>
 *
 * <p>{@code watch}: server streaming, Flags/Watch, every message the server sends counted.
 * {@code chat}: bidi ping-pong on Flags/Chat, R rounds per call (send one Flag, wait for the one
 * back, send the next), then a half-close; each answer counted. Messages in the first W seconds
 * are not counted; nothing is started after W + N seconds. Prints one JSON line.
 */
public final class StreamClient {

  private static final GetFlagRequest REQUEST = GetFlagRequest.newBuilder().setName("checkout").build();

  private StreamClient() {}

  public static void main(String[] args) throws Exception {
    String target = null;
    String mode = null;
    double seconds = 10;
    double warmup = 0;
    int concurrency = 4;
    int rounds = 500;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--target" -> target = value;
        case "--mode" -> mode = value;
        case "--seconds" -> seconds = Double.parseDouble(value);
        case "--warmup" -> warmup = Double.parseDouble(value);
        case "--concurrency" -> concurrency = Integer.parseInt(value);
        case "--rounds" -> rounds = Integer.parseInt(value);
        default -> {
          System.err.println("unknown argument " + args[i]);
          System.exit(2);
        }
      }
      i++;
    }
    if (target == null || !("watch".equals(mode) || "chat".equals(mode))) {
      System.err.println("usage: StreamClient --target HOST:PORT --mode watch|chat --seconds N [--warmup W] "
          + "[--concurrency C] [--rounds R]");
      System.exit(2);
    }
    int colon = target.lastIndexOf(':');
    ManagedChannel channel = NettyChannelBuilder.forAddress(target.substring(0, colon),
        Integer.parseInt(target.substring(colon + 1))).usePlaintext().directExecutor().build();
    long start = System.nanoTime();
    long countFrom = start + (long) (warmup * 1e9);
    long stopAt = countFrom + (long) (seconds * 1e9);
    AtomicLong messages = new AtomicLong();
    AtomicLong calls = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(concurrency);
    FlagsGrpc.FlagsStub stub = FlagsGrpc.newStub(channel);
    List<Runnable> streams = new ArrayList<>();
    for (int c = 0; c < concurrency; c++) {
      Stream stream = new Stream(stub, mode, rounds, countFrom, stopAt, messages, calls, errors, firstError, done);
      streams.add(stream::next);
    }
    streams.forEach(Runnable::run);
    boolean finished = done.await((long) (warmup + seconds + 30), TimeUnit.SECONDS);
    double measured = Math.min(System.nanoTime(), stopAt) - countFrom;
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    String error = firstError.get();
    System.out.println(String.format(Locale.ROOT,
        "{\"mode\": \"%s\", \"concurrency\": %d, \"rounds\": %d, \"seconds\": %.3f, \"messages\": %d, "
            + "\"calls\": %d, \"messages_per_s\": %.1f, \"errors\": %d, \"finished\": %s, \"first_error\": %s}",
        mode, concurrency, rounds, measured / 1e9, messages.get(), calls.get(), messages.get() / (measured / 1e9),
        errors.get(), finished, error == null ? "null" : "\"" + error.replace("\\", "\\\\").replace("\"", "'") + "\""));
    System.exit(finished ? 0 : 1);
  }

  /** One stream slot: a call at a time, the next when it ends, until the measured time is over. */
  private static final class Stream {
    final FlagsGrpc.FlagsStub stub;
    final String mode;
    final int rounds;
    final long countFrom;
    final long stopAt;
    final AtomicLong messages;
    final AtomicLong calls;
    final AtomicLong errors;
    final AtomicReference<String> firstError;
    final CountDownLatch done;

    Stream(FlagsGrpc.FlagsStub stub, String mode, int rounds, long countFrom, long stopAt, AtomicLong messages,
        AtomicLong calls, AtomicLong errors, AtomicReference<String> firstError, CountDownLatch done) {
      this.stub = stub;
      this.mode = mode;
      this.rounds = rounds;
      this.countFrom = countFrom;
      this.stopAt = stopAt;
      this.messages = messages;
      this.calls = calls;
      this.errors = errors;
      this.firstError = firstError;
      this.done = done;
    }

    void next() {
      if (System.nanoTime() >= stopAt) {
        done.countDown();
        return;
      }
      if ("watch".equals(mode)) {
        stub.withDeadlineAfter(30, TimeUnit.SECONDS).watch(REQUEST, new Counting(null));
      } else {
        Counting answers = new Counting(rounds);
        answers.requests = stub.withDeadlineAfter(30, TimeUnit.SECONDS).chat(answers);
        answers.requests.onNext(PlainServer.FLAG);
      }
    }

    /** Counts a call's messages; a chat sends the next Flag on each answer, then half-closes. */
    private final class Counting implements StreamObserver<Flag> {
      final Integer rounds;
      int answered;
      StreamObserver<Flag> requests;

      Counting(Integer rounds) {
        this.rounds = rounds;
      }

      @Override
      public void onNext(Flag value) {
        if (System.nanoTime() >= countFrom && System.nanoTime() < stopAt) {
          messages.incrementAndGet();
        }
        if (rounds != null) {
          answered++;
          if (answered < rounds) {
            requests.onNext(PlainServer.FLAG);
          } else {
            requests.onCompleted();
          }
        }
      }

      @Override
      public void onError(Throwable t) {
        errors.incrementAndGet();
        Status status = Status.fromThrowable(t); // one line: the code and description, no cause
        firstError.compareAndSet(null, status.getCode() + ": " + status.getDescription());
        next();
      }

      @Override
      public void onCompleted() {
        calls.incrementAndGet();
        next();
      }
    }
  }
}
