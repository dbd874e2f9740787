package dev.faultbox.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.opentest4j.AssertionFailedError;

/** The extension and FaultboxTests, each run in a JUnit engine of its own (EngineTestKit). */
class FaultboxExtensionTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  static final List<String> seen = new ArrayList<>(); // what the fixtures observed, in order

  @BeforeAll
  static void specs() throws Exception {
    Specs.write();
  }

  /** The failures of a run, for a readable assertion message. */
  private static List<String> failures(EngineExecutionResults r) {
    return r.allEvents().failed().stream()
        .map(e -> e.getTestDescriptor().getDisplayName() + ": " + e.getRequiredPayload(org.junit.platform.engine.TestExecutionResult.class)
            .getThrowable().map(Throwable::toString).orElse("?"))
        .toList();
  }

  private static EngineExecutionResults run(Class<?> fixture) {
    seen.clear();
    return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute();
  }

  static int jwks(Topology t) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(t.url("auth", "http") + "/jwks")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /**
   * An idle connection to the TCP mock (which answers one line per connection) kept across tests:
   * it survives only while the services do.
   */
  static Socket held;

  static String ping(Socket s) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write("PING\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    s.setSoTimeout(2000);
    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
  }

  @FaultboxSpec(Specs.DIR + "/deps.star")
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class PerClass {
    static Topology shared;
    Topology deps;
    final Topology constructed;

    PerClass(Topology t) {
      constructed = t;
    }

    @Test
    @Order(1)
    void injectedEverywhereAndPropertiesSet(Topology parameter) throws Exception {
      assertThat(deps).isSameAs(shared).isSameAs(constructed).isSameAs(parameter);
      assertThat(System.getProperty("faultbox.auth.http.url")).isEqualTo("http://127.0.0.1:" + Specs.auth);
      assertThat(System.getProperty("faultbox.cache.main.port")).isEqualTo(Integer.toString(Specs.cache));
      assertThat(jwks(deps)).isEqualTo(200);
      held = new Socket("127.0.0.1", Specs.cache);
      seen.add("first");
    }

    @Test
    @Order(2)
    @WithFault("jwks_unavailable")
    void theFaultHoldsForThisTest() throws Exception {
      assertThat(deps.events().where("kind", "mock").count()).as("cleared before each test").isZero();
      assertThat(deps.events().where("type", "fault.applied").where("assumption", "jwks_unavailable").count()).isOne();
      assertThat(jwks(deps)).isEqualTo(503);
      assertThat(ping(held)).as("the services kept running between tests").isEqualTo("PONG");
      seen.add("faulted");
    }

    @Test
    @Order(3)
    void andIsLiftedAfterIt() throws Exception {
      assertThat(jwks(deps)).isEqualTo(200);
      assertThat(deps.events().where("service", "auth").count()).isOne();
      held.close();
      seen.add("lifted");
    }
  }

  @Test
  void perClassStartsOnceInjectsAndAppliesFaultsPerTest() {
    EngineExecutionResults results = run(PerClass.class);
    assertThat(failures(results)).isEmpty();
    results.testEvents().assertStatistics(s -> s.succeeded(3));
    assertThat(seen).containsExactly("first", "faulted", "lifted");
    assertThat(System.getProperty("faultbox.auth.http.url")).as("cleared after the class").isNull();
  }

  @FaultboxSpec(value = Specs.DIR + "/deps.star", lifecycle = FaultboxSpec.Lifecycle.PER_METHOD)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class PerMethod {
    @Test
    @Order(1)
    void first(Topology deps) throws Exception {
      try (Socket once = new Socket("127.0.0.1", Specs.cache)) {
        assertThat(ping(once)).isEqualTo("PONG");
      }
      held = new Socket("127.0.0.1", Specs.cache);
      seen.add("first");
    }

    @Test
    @Order(2)
    void second(Topology deps) throws Exception {
      held.setSoTimeout(2000);
      assertThat(held.getInputStream().read()).as("the services were restarted: the old connection is closed").isEqualTo(-1);
      held.close();
      assertThat(jwks(deps)).isEqualTo(200);
      seen.add("second");
    }
  }

  @Test
  void perMethodRestartsTheServicesForEachTest() {
    assertThat(failures(run(PerMethod.class))).isEmpty();
    assertThat(seen).containsExactly("first", "second");
  }

  @FaultboxSpec(Specs.DIR + "/broken.star")
  static class Broken {
    @Test
    void never() {
      seen.add("ran");
    }
  }

  @FaultboxSpec(Specs.DIR + "/missing.star")
  static class Missing {
    @Test
    void never() {
      seen.add("ran");
    }
  }

  @Test
  void aSpecThatWillNotLoadFailsTheClassWithItsLocation() {
    run(Broken.class).allEvents().assertThatEvents().haveExactly(1, event(container(Broken.class),
        finishedWithFailure(instanceOf(FaultboxException.class),
            message(m -> m.startsWith(Specs.DIR + "/broken.star:2:") && !m.contains("\n")))));
    assertThat(seen).isEmpty();
    run(Missing.class).allEvents().assertThatEvents().haveExactly(1, event(container(Missing.class),
        finishedWithFailure(instanceOf(FaultboxException.class),
            message(m -> m.startsWith("spec " + Specs.DIR + "/missing.star not found")))));
  }

  @FaultboxSpec(Specs.DIR + "/deps.star")
  static class UnknownFault {
    @Test
    @WithFault("jwks_down")
    void faulted() {
      seen.add("ran");
    }
  }

  @Test
  void anUnknownAssumptionFailsThatTest() {
    run(UnknownFault.class).allEvents().assertThatEvents().haveExactly(1, event(test("faulted"),
        finishedWithFailure(instanceOf(FaultboxException.class), message("@WithFault(\"jwks_down\"): the spec "
            + Specs.DIR + "/deps.star has no fault_assumption named jwks_down; it has: jwks_unavailable"))));
    assertThat(seen).isEmpty();
  }

  static class SpecTests {
    @TestFactory
    Stream<DynamicTest> spec() {
      return FaultboxTests.of(Specs.DIR + "/suite.star");
    }
  }

  @Test
  void specTestsRunAsDynamicTestsWithTheirOwnVerdicts() {
    Events tests = run(SpecTests.class).testEvents();
    tests.assertStatistics(s -> s.started(3).succeeded(2).failed(1));
    tests.assertThatEvents().haveExactly(1, event(test(), displayName("test_wrong"), finishedWithFailure(
        instanceOf(AssertionFailedError.class),
        message("assert_eq failed: got 200, want 404: wanted a 404\n  at " + Specs.DIR + "/suite.star:12:14"))));
    var source = tests.started().filter(e -> e.getTestDescriptor().getDisplayName().equals("test_wrong")).findFirst()
        .orElseThrow().getTestDescriptor().getSource().orElseThrow();
    assertThat(source).isInstanceOf(org.junit.platform.engine.support.descriptor.FileSource.class);
    var file = (org.junit.platform.engine.support.descriptor.FileSource) source;
    assertThat(file.getFile().toPath()).endsWith(java.nio.file.Path.of("suite.star"));
    assertThat(file.getPosition()).get().extracting(p -> p.getLine()).isEqualTo(11);
  }
}
