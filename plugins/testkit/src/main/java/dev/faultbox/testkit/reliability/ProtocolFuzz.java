package dev.faultbox.testkit.reliability;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.testkit.FreePorts;
import dev.faultbox.testkit.RecordingContext;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import net.jqwik.api.AfterFailureMode;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * The reliability suite's fuzzing, as a jqwik property a plugin's test extends once per protocol
 * (as it extends {@link dev.faultbox.testkit.ProtocolContract}). One mock runs for the whole
 * property; each try sends it one generated input ({@link Mutations} of the protocol's valid
 * requests, plus its own invalid frames) on a connection of its own, and checks:
 *
 * <ul>
 *   <li>the mock closes the connection once the client has sent everything (no hung connection);
 *   <li>an event is recorded for every input {@link #expectsEvent} says the plugin records one for;
 *   <li>every {@link Sizes#probeEvery()} inputs, a valid request is answered correctly within
 *       {@link #WAIT}, and nothing was printed that is a warning, an error or a stack trace;
 *   <li>at the end: the same, then after closing, no thread, child process, bound port or temp
 *       file left behind ({@link Leaks}).
 * </ul>
 *
 * The number of inputs is {@link Sizes#fuzzInputs()} and the seed {@link Sizes#SEED} (printed with
 * the failing input in hex, so {@code -Dfaultbox.reliability.seed=...} reproduces the run).
 */
@Tag("reliability")
public abstract class ProtocolFuzz {

  /** How long a valid probe may take, and the mock may take to record an event. */
  protected static final Duration WAIT = Duration.ofSeconds(2);
  /**
   * How long the mock may take to close a connection once the client has sent everything: longer
   * than {@link #WAIT}, as one input may hold thousands of pipelined requests, each answered.
   */
  protected static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  /** A fresh instance of the plugin under test. */
  protected abstract MockProtocol plugin();

  /** The protocol of the plugin this property fuzzes. */
  protected abstract String protocol();

  /** A definition on {@code port} that answers {@link #probe}. */
  protected abstract MockDefinition definition(int port);

  /** Well-formed requests, the material mutated into malformed ones. */
  protected abstract List<byte[]> validRequests();

  /** Invalid frames only this protocol knows how to make (oversized lengths, bad types); none by default. */
  protected Arbitrary<byte[]> invalidFrames() {
    return null;
  }

  /** Sends one valid request; true when the definition's answer came back. Waits at most {@link #WAIT}. */
  protected abstract boolean probe(InetSocketAddress at) throws Exception;

  /** The context the mock runs in (override to lend a TLS identity). */
  protected RecordingContext newContext() {
    return new RecordingContext();
  }

  /** Delivers one input: on its own TCP connection, or as one datagram. */
  protected Delivery deliver(InetSocketAddress at, byte[] input) throws IOException {
    if (datagrams != null) {
      return Delivery.datagram(datagrams, at, input);
    }
    return Delivery.stream(at, input, CLOSE_WAIT);
  }

  /**
   * Whether the mock must have recorded an event for this input: by default whenever it answered
   * anything (the contract records an event before any reply leaves). Override where the protocol
   * frames more, or where a connection's first bytes are not an answer (HTTP/2's SETTINGS).
   */
  protected boolean expectsEvent(byte[] input, Delivery delivery) {
    return delivery.reply().length > 0;
  }

  // ---- the run ------------------------------------------------------------------------------

  private String seed;
  private MockProtocol plugin;
  private ProtocolFactory factory;
  /** The context of the running mock: its events. */
  protected RecordingContext context;
  private MockServer server;
  private InetSocketAddress at;
  private DatagramSocket datagrams;
  private ConsoleWatch console;
  private Leaks before;
  private int inputs;
  private int expectedEvents;
  private long startedNanos;
  private long slowestMs;
  private byte[] slowest = new byte[0];
  private boolean failed;

  @BeforeProperty
  void startTheMock() throws Exception {
    before = Leaks.snapshot();
    plugin = plugin();
    factory = plugin.protocols().stream().filter(f -> f.name().equals(protocol())).findFirst()
        .orElseThrow(() -> new AssertionError(plugin.id() + " does not serve " + protocol()));
    boolean udp = factory.transport() == ProtocolFactory.Transport.DATAGRAM;
    context = newContext();
    server = factory.start(factory.prepare(definition(udp ? FreePorts.udp() : FreePorts.tcp())), context);
    at = new InetSocketAddress(FreePorts.loopback(), server.address().getPort());
    if (udp) {
      datagrams = new DatagramSocket(new InetSocketAddress(FreePorts.loopback(), 0));
    }
    if (!probe(at)) {
      throw new AssertionError(protocol() + ": the probe is not answered before any input was sent");
    }
    console = ConsoleWatch.start();
    startedNanos = System.nanoTime();
  }

  @Provide
  Arbitrary<byte[]> inputs() {
    return Mutations.of(validRequests(), invalidFrames());
  }

  @Property(shrinking = ShrinkingMode.BOUNDED)
  @AddLifecycleHook(SizeAndSeed.class) // on the method: a subclass inherits it with the method
  void malformedInputLeavesTheMockServing(@ForAll("inputs") byte[] input) throws Exception {
    try {
      feed(input);
    } catch (Exception | AssertionError e) {
      failed = true; // jqwik reports this one; the checks at the end would only hide it
      throw e;
    }
  }

  private void feed(byte[] input) throws Exception {
    int index = ++inputs;
    int eventsBefore = context.recorded().size();
    Delivery delivery;
    long started = System.nanoTime();
    try {
      delivery = deliver(at, input);
    } catch (IOException e) {
      throw failure(index, input, "could not be delivered (is the listener down?): " + e);
    }
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    if (tookMs > slowestMs) {
      slowestMs = tookMs;
      slowest = input;
    }
    if (!delivery.closed()) {
      throw failure(index, input, "the connection was still open " + CLOSE_WAIT.toMillis()
          + " ms after the client had sent everything (answer so far: " + Mutations.hex(delivery.reply(), 256) + ")"
          + mockThreads());
    }
    if (expectsEvent(input, delivery)) {
      expectedEvents++;
      try {
        context.awaitEvents(eventsBefore + 1, WAIT);
      } catch (AssertionError none) {
        throw failure(index, input, "no event was recorded for it (answer: " + Mutations.hex(delivery.reply(), 256) + ")");
      }
    }
    if (index % Sizes.probeEvery() == 0) {
      checkServing("after input #" + index, index, input);
    }
  }

  private void checkServing(String when, int index, byte[] lastInput) throws Exception {
    long started = System.nanoTime();
    boolean answered = probe(at);
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    if (!answered || tookMs > WAIT.toMillis()) {
      throw failure(index, lastInput, "the valid probe " + when + " was " + (answered ? "answered only after " + tookMs
          + " ms" : "not answered correctly"));
    }
    List<String> printed = new java.util.ArrayList<>(console.problems());
    printed.addAll(context.warnings());
    if (!printed.isEmpty()) {
      throw failure(index, lastInput, "the console shows, by " + when + ": "
          + String.join("\n", printed.subList(0, Math.min(20, printed.size()))));
    }
  }

  @AfterProperty
  void stopTheMockAndLookForLeaks() throws Exception {
    double seconds = (System.nanoTime() - startedNanos) / 1e9;
    try {
      if (console != null && !failed) {
        checkServing("at the end", inputs, new byte[0]);
      }
    } finally {
      if (console != null) {
        console.close();
      }
      if (datagrams != null) {
        datagrams.close();
      }
      if (server != null) {
        server.close();
      }
      if (plugin != null) {
        plugin.close();
      }
    }
    if (failed) {
      return;
    }
    if (inputs < Sizes.fuzzInputs()) {
      throw new AssertionError(protocol() + ": only " + inputs + " of " + Sizes.fuzzInputs() + " inputs were tried");
    }
    boolean udp = datagrams != null;
    Leaks.assertNoneSince(before, udp ? List.of() : List.of(at), udp ? List.of(at) : List.of());
    System.out.printf("reliability fuzz %s: %d inputs (%d with an event expected, %d events) in %.1f s,"
        + " seed %s; slowest %d ms: %s%n", protocol(), inputs, expectedEvents, context.recorded().size(), seconds, seed,
        slowestMs, Mutations.hex(slowest, 48));
  }

  /** Where the mock's threads are, for a hang: each {@code faultbox-*} thread's top frames. */
  private static String mockThreads() {
    StringBuilder out = new StringBuilder();
    Thread.getAllStackTraces().forEach((thread, frames) -> {
      if (thread.getName().startsWith("faultbox-")) {
        out.append("\n  thread ").append(thread.getName()).append(' ').append(thread.getState());
        for (int i = 0; i < Math.min(12, frames.length); i++) {
          out.append("\n    at ").append(frames[i]);
        }
      }
    });
    return out.toString();
  }

  private AssertionError failure(int index, byte[] input, String what) {
    return new AssertionError(protocol() + " input #" + index + " of " + Sizes.fuzzInputs() + " (" + input.length
        + " bytes, hex " + Mutations.hex(input, 4096) + "): " + what + "\n  reproduce with -D" + Sizes.SEED + "=" + seed);
  }

  /** Sets the property's tries and seed from the system properties; keeps the seed for messages. */
  public static final class SizeAndSeed implements AroundPropertyHook {
    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
      String seed = System.getProperty(Sizes.SEED, "").trim();
      if (seed.isEmpty()) {
        seed = Long.toString(ThreadLocalRandom.current().nextLong());
      }
      context.attributes().setTries(Sizes.fuzzInputs());
      context.attributes().setSeed(seed);
      // always drawn at random (jqwik would enumerate an arbitrary it can, and stop early)
      context.attributes().setGeneration(GenerationMode.RANDOMIZED);
      // the seed decides; no sample replayed from jqwik's database of earlier failures
      context.attributes().setAfterFailure(AfterFailureMode.RANDOM_SEED);
      if (context.testInstance() instanceof ProtocolFuzz fuzz) {
        fuzz.seed = seed;
      }
      return property.execute();
    }

    @Override
    public int aroundPropertyProximity() {
      return -100; // outside the other hooks: the attributes are set before anything reads them
    }
  }
}
