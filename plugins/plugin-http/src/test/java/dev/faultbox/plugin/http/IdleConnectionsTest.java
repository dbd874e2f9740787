package dev.faultbox.plugin.http;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.testkit.FreePorts;
import dev.faultbox.testkit.RecordingContext;
import dev.faultbox.testkit.reliability.IdleConnections;
import dev.faultbox.testkit.reliability.Leaks;
import dev.faultbox.testkit.reliability.Sizes;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The reliability suite's idle connections: {@link Sizes#idleConnections()} clients connect to an
 * HTTP mock and say nothing, held by a child process, while fresh requests are answered; once they
 * go, the mock's descriptors and threads are back where they were, and nothing is left behind.
 */
@Tag("reliability")
class IdleConnectionsTest {

  private static final int FRESH_REQUESTS = 200;
  private static final int FILES_SLACK = 8;

  @Test
  void idleConnectionsLeaveFreshRequestsAnsweredAndGoWithoutATrace() throws Exception {
    Leaks before = Leaks.snapshot();
    HttpProtocol plugin = new HttpProtocol();
    ProtocolFactory factory = plugin.protocols().stream().filter(f -> f.name().equals(HttpProtocol.HTTP)).findFirst()
        .orElseThrow();
    RecordingContext context = new RecordingContext();
    MockServer server = factory.start(factory.prepare(mock("api", "http", FreePorts.tcp())
        .route("GET /fresh", Http1ServerTest.text(200, "fresh")).build()), context);
    InetSocketAddress at = new InetSocketAddress(FreePorts.loopback(), server.address().getPort());
    long started = System.nanoTime();
    try {
      for (int i = 0; i < 20; i++) {
        assertAnsweredInTime(at); // the event loops and this thread's resources exist before the baseline
      }
      int filesBefore = IdleConnections.openFiles();
      Set<String> threadsBefore = threads();
      int count = Sizes.idleConnections();
      try (IdleConnections idle = IdleConnections.open(at, count, Duration.ofSeconds(120))) {
        assertThat(idle.held()).isEqualTo(count);
        int accepted = await(() -> established(at), n -> n >= count, Duration.ofSeconds(30));
        assertThat(accepted).as("connections the mock holds").isEqualTo(count);
        for (int i = 0; i < FRESH_REQUESTS; i++) {
          assertAnsweredInTime(at);
        }
      }
      assertThat(await(() -> established(at), n -> n == 0, Duration.ofSeconds(30)))
          .as("connections the mock still holds once the clients went").isZero();
      // Other tests' sockets in this JVM may close meanwhile, or a timer open one: a little room.
      assertThat(await(() -> openFiles() - filesBefore, n -> n <= 0, Duration.ofSeconds(10)))
          .as("descriptors open beyond the baseline once the clients went").isLessThanOrEqualTo(FILES_SLACK);
      assertThat(threads()).as("threads once the clients went").isSubsetOf(threadsBefore);
      assertThat(context.recorded()).as("an event per request, none for a client that said nothing")
          .hasSize(20 + FRESH_REQUESTS)
          .allSatisfy(e -> assertThat(e.fields()).containsEntry("status", 200));
    } finally {
      server.close();
      plugin.close();
    }
    Leaks.assertNoneSince(before, List.of(at), List.of());
    System.out.printf("reliability idle: %d idle connections held, %d fresh requests answered, in %.1f s%n",
        Sizes.idleConnections(), FRESH_REQUESTS, (System.nanoTime() - started) / 1e9);
  }

  private static void assertAnsweredInTime(InetSocketAddress at) throws Exception {
    long started = System.nanoTime();
    TestSupport.RawResponse r = TestSupport.get(at, "/fresh");
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyText()).isEqualTo("fresh");
    assertThat(tookMs).as("ms to answer a fresh request").isLessThan(2000);
  }

  private static int established(InetSocketAddress at) {
    try {
      return IdleConnections.establishedOn(at.getPort());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int openFiles() {
    try {
      return IdleConnections.openFiles();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** This JVM's threads, but the JDK's reaper of child processes (there because the clients are one). */
  private static Set<String> threads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .filter(t -> !t.getName().equals("process reaper"))
        .map(t -> t.getName() + "#" + t.getId()).collect(Collectors.toSet());
  }

  /** Polls {@code value} until {@code done} holds or {@code timeout} passes; returns the last value. */
  private static int await(IntSupplier value, java.util.function.IntPredicate done, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int v = value.getAsInt();
    while (!done.test(v) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      v = value.getAsInt();
    }
    return v;
  }
}
