package dev.faultbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.ProtocolFactory;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every protocol plugin promises, as a JUnit 5 suite: a plugin's test extends it once per
 * protocol, supplies a definition and a client, and inherits the checks. Every check runs a real
 * listener on 127.0.0.1 and a real client.
 *
 * <ul>
 *   <li>the plugin is found by {@link ServiceLoader} and serves the protocol;
 *   <li>stopping releases the port at once, and the same prepared mock starts again on it;
 *   <li>exactly one event per request, recorded before the reply reaches the client;
 *   <li>error, delay and drop decisions of the fault gate are honoured, the event naming the fault;
 *   <li>malformed bytes are answered (or refused) without the listener dying;
 *   <li>an invalid definition fails {@code prepare} with a one-line {@link InvalidMockException};
 *   <li>{@code MockServer.close()} and {@code MockProtocol.close()} are idempotent.
 * </ul>
 */
public abstract class ProtocolContract {

  /** What the client saw: the answer the definition gives ({@code ok}), or anything else. */
  public record Reply(boolean ok, String detail) {
    public static Reply answered(String detail) {
      return new Reply(true, detail);
    }

    public static Reply failed(String detail) {
      return new Reply(false, detail);
    }
  }

  /** A fresh instance of the plugin under test. */
  protected abstract MockProtocol plugin();

  /** The protocol of the plugin this suite checks. */
  protected abstract String protocol();

  /** A definition on {@code port} whose route answers what {@link #exchange} sends. */
  protected abstract MockDefinition definition(int port);

  /** A definition {@code prepare} must refuse (a bad route or config key). */
  protected abstract MockDefinition invalidDefinition(int port);

  /**
   * Sends one request the definition answers, waiting at most a few seconds. Returns
   * {@link Reply#answered} for the definition's own answer and {@link Reply#failed} for an error
   * answer, a closed connection or no answer; never throws for what the mock did.
   */
  protected abstract Reply exchange(InetSocketAddress at) throws Exception;

  /** Sends bytes the protocol cannot parse. */
  protected abstract void sendMalformed(InetSocketAddress at) throws Exception;

  private MockProtocol plugin;
  private ProtocolFactory factory;
  private RecordingContext context;
  private MockServer server;

  @BeforeEach
  void startPlugin() {
    plugin = plugin();
    factory = plugin.protocols().stream().filter(f -> f.name().equals(protocol())).findFirst()
        .orElseThrow(() -> new AssertionError(plugin.id() + " does not serve " + protocol()));
    context = new RecordingContext();
  }

  @AfterEach
  void stopPlugin() {
    if (server != null) {
      server.close();
    }
    plugin.close();
  }

  private int freePort() {
    return factory.transport() == ProtocolFactory.Transport.DATAGRAM ? FreePorts.udp() : FreePorts.tcp();
  }

  private InetSocketAddress start(PreparedMock prepared) throws Exception {
    server = factory.start(prepared, context);
    return new InetSocketAddress(FreePorts.loopback(), server.address().getPort());
  }

  private InetSocketAddress start() throws Exception {
    return start(factory.prepare(definition(freePort())));
  }

  private void gate(FaultDecision.Action action, Duration delay) {
    FaultDecision d = new FaultDecision(action, delay,
        factory.faultModel().errorStatus(), "contract fault", Optional.of("contract"));
    context.setFaultGate(probe -> d);
  }

  @Test
  void theServiceLoaderFindsThePluginServingTheProtocol() {
    List<MockProtocol> found = StreamSupport.stream(ServiceLoader.load(MockProtocol.class).spliterator(), false)
        .filter(p -> p.id().equals(plugin.id())).toList();
    assertThat(found).as("META-INF/services/dev.faultbox.spi.MockProtocol lists " + plugin.id()).hasSize(1);
    assertThat(found.get(0).protocols()).extracting(ProtocolFactory::name).contains(protocol());
    assertThat(found.get(0).protocolNames()).as("protocolNames() lists exactly the factories' names")
        .containsExactlyInAnyOrderElementsOf(found.get(0).protocols().stream().map(ProtocolFactory::name).toList());
  }

  @Test
  void stoppingReleasesThePortAtOnceAndThePreparedMockStartsAgain() throws Exception {
    PreparedMock prepared = factory.prepare(definition(freePort()));
    InetSocketAddress at = start(prepared);
    assertThat(exchange(at).ok()).isTrue();
    server.close();
    server = null;
    if (factory.transport() == ProtocolFactory.Transport.DATAGRAM) {
      new DatagramSocket(at).close();
    } else {
      try (ServerSocket again = new ServerSocket()) {
        again.bind(at);
      }
    }
    assertThat(exchange(start(prepared)).ok()).as("served again from the same prepared mock").isTrue();
  }

  @Test
  void eachRequestIsOneEventRecordedBeforeTheReply() throws Exception {
    InetSocketAddress at = start();
    for (int i = 1; i <= 3; i++) {
      assertThat(exchange(at).ok()).isTrue();
      assertThat(context.recorded()).as("events once reply " + i + " arrived").hasSize(i);
    }
    MockEvent e = context.recorded().get(0);
    assertThat(e.service()).isEqualTo(definition(0).service());
    assertThat(e.iface()).isEqualTo(definition(0).iface().name());
  }

  @Test
  void anErrorDecisionFailsTheRequestTheProtocolsWay() throws Exception {
    InetSocketAddress at = start();
    gate(FaultDecision.Action.ERROR, Duration.ZERO);
    assertThat(exchange(at).ok()).isFalse();
    assertThat(context.awaitEvent(Duration.ofSeconds(5)).fields()).containsEntry("fault", "contract");
  }

  @Test
  void aDelayHoldsTheRequestThenServesIt() throws Exception {
    InetSocketAddress at = start();
    gate(FaultDecision.Action.PASS, Duration.ofMillis(300));
    long started = System.nanoTime();
    assertThat(exchange(at).ok()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(context.recorded()).hasSize(1);
    assertThat(context.recorded().get(0).fields()).containsEntry("fault", "contract");
  }

  @Test
  void aDropAnswersNothing() throws Exception {
    InetSocketAddress at = start();
    gate(FaultDecision.Action.DROP, Duration.ZERO);
    assertThat(exchange(at).ok()).isFalse();
    assertThat(context.awaitEvent(Duration.ofSeconds(5)).fields()).containsEntry("fault", "contract");
    context.setFaultGate(dev.faultbox.spi.FaultGate.PASS_THROUGH);
    assertThat(exchange(at).ok()).as("served after the drop").isTrue();
  }

  @Test
  void malformedBytesLeaveTheListenerServing() throws Exception {
    InetSocketAddress at = start();
    sendMalformed(at);
    assertThat(context.awaitEvent(Duration.ofSeconds(5))).as("the refusal is an event").isNotNull();
    context.clear();
    assertThat(exchange(at).ok()).isTrue();
  }

  @Test
  void anInvalidDefinitionFailsPrepareWithOneLine() {
    assertThatThrownBy(() -> factory.prepare(invalidDefinition(freePort())))
        .isInstanceOf(InvalidMockException.class)
        .satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("\n"));
  }

  @Test
  void closingTwiceIsHarmless() throws Exception {
    InetSocketAddress at = start();
    assertThat(exchange(at).ok()).isTrue();
    server.close();
    server.close();
    server = null;
    plugin.close();
    plugin.close();
  }

  /** The port of {@code at} cannot be bound: the listener is up. For subclasses' own checks. */
  protected static boolean listening(InetSocketAddress at) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(at);
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
