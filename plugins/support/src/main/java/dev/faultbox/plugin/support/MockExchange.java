package dev.faultbox.plugin.support;

import dev.faultbox.spi.DynamicHandler;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultProbe;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockRequest;
import dev.faultbox.spi.MockResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One request's way through a mock, whatever its protocol: ask the fault gate, wait its delay on
 * the request's {@link RequestLoop}, answer the fault or the route (asking a dynamic handler and
 * hopping back to the loop when its stage completes on a kernel script thread), then hand the
 * transport an {@link Outcome} that records the event before the reply leaves. The protocol's
 * {@link Answers} supply the probe, the replies and the event; this class owns the order and the
 * error texts of failing handlers. Thread-safe; one per running mock.
 *
 * @param <Q> the protocol's request, as its transport read it
 * @param <R> the protocol's reply, as its transport writes it
 */
public final class MockExchange<Q, R> {

  /** What a protocol tells the exchange: every step here runs on the request's loop. */
  public interface Answers<Q, R> {

    /** How error texts name this protocol's mock, article included: {@code "a tcp mock"}. */
    String mockKind();

    /** Whether the mock's warnings carry a failure's stack trace, or only its one-line message. */
    default boolean logsStackTraces() {
      return true;
    }

    /** The request as fault rules match it. */
    FaultProbe probe(Q request);

    /**
     * Where the exchange records {@code fault}, {@code route} and {@code error} for the event: a
     * new map, unless the protocol reports a request that ends before its answer with them too.
     */
    default Map<String, Object> fields(Q request) {
      return new LinkedHashMap<>();
    }

    /** The reply to a fault that answers instead of serving: ERROR, RESPOND, DROP or RESET. */
    R fault(Q request, FaultDecision decision);

    /** The answer the routes choose; fields that say which route (e.g. {@code route}) go in {@code fields}. */
    Routed<R> route(Q request, Map<String, Object> fields);

    /**
     * A dynamic handler's response as a reply.
     *
     * @throws Refusal when this protocol cannot send it
     */
    R respond(Q request, MockResponse response) throws Refusal;

    /** The reply to a failed handler; {@code error} is the event's {@code error} already. */
    R failed(Q request, String error);

    /**
     * The request's event, answered with {@code reply}.
     *
     * @param fields what the exchange and {@link #route} recorded: {@code fault}, {@code route},
     *     {@code error}, each when it applies; the protocol adds its own
     */
    MockEvent event(Q request, R reply, Map<String, Object> fields);
  }

  /** What the routes chose. */
  public sealed interface Routed<R> {
    /** A reply known without asking anyone. */
    record Ready<R>(R reply) implements Routed<R> {}

    /** A reply a dynamic handler computes from {@code request}. */
    record Ask<R>(DynamicHandler handler, MockRequest request) implements Routed<R> {}

    /** The route cannot be served; answered as a failed handler, with {@code error}. */
    record Failed<R>(String error) implements Routed<R> {}

    /**
     * A reply that is not known yet and completes later, on any thread: a blocking pop waiting
     * for a push, a long-poll fetch waiting for records, a tailable cursor waiting for data. The
     * exchange hops back to the request's loop when {@code reply} completes and finishes the
     * request there (event recorded, then the reply handed over), as for a dynamic handler's
     * answer; a stage that fails is answered as a failed handler. A stage that never completes
     * (its connection closed first) finishes nothing: the protocol forgets it and no event is
     * recorded. The transport must hold the connection's later requests meanwhile if their
     * replies have to keep their order.
     */
    record Later<R>(CompletionStage<R> reply) implements Routed<R> {}
  }

  /** A handler's response this protocol cannot send. */
  public static final class Refusal extends Exception {
    private final String what;

    /** @param error the whole error text */
    public Refusal(String error) {
      super(error, null, false, false);
      this.what = null;
    }

    private Refusal(String what, boolean kind) {
      super(what, null, false, false);
      this.what = what;
    }

    /**
     * A response of a kind the protocol never sends, named as the spec built it: the error reads
     * {@code dynamic handler answered <what>, which <mock kind> cannot send}.
     */
    public static Refusal kind(String what) {
      return new Refusal(what, true);
    }

    String error(String mockKind) {
      return what == null ? getMessage() : unsendable(what, mockKind);
    }
  }

  /** Receives a request's outcome, once, on the request's loop. */
  @FunctionalInterface
  public interface Done<R> {
    void complete(Outcome<R> outcome);
  }

  /** A request's event and reply, which leave in that order: {@link #emit} the one, then write the other. */
  public static final class Outcome<R> {
    private final MockExchange<?, R> exchange;
    private final MockEvent event;
    private final R reply;

    private Outcome(MockExchange<?, R> exchange, MockEvent event, R reply) {
      this.exchange = exchange;
      this.event = event;
      this.reply = reply;
    }

    /** Records the event and returns the reply, for the transport to write next. */
    public R emit() {
      exchange.emit(event);
      return reply;
    }

    /** The reply, to release when it will never be sent. */
    public R reply() {
      return reply;
    }

    public MockEvent event() {
      return event;
    }
  }

  private final MockDefinition definition;
  private final MockContext context;
  private final Answers<Q, R> answers;

  public MockExchange(MockDefinition definition, MockContext context, Answers<Q, R> answers) {
    this.definition = definition;
    this.context = context;
    this.answers = answers;
  }

  /** Serves {@code request}; call on {@code loop}. {@code done} is called once, on {@code loop}. */
  public void serve(RequestLoop loop, Q request, Done<R> done) {
    FaultDecision decision = decide(request);
    Map<String, Object> fields = answers.fields(request);
    decision.fault().ifPresent(fault -> fields.put("fault", fault));
    long delayNanos = decision.delay() == null ? 0 : decision.delay().toNanos();
    if (delayNanos <= 0) {
      act(loop, request, decision, fields, done);
    } else if (!loop.schedule(() -> act(loop, request, decision, fields, done), delayNanos)) {
      context.logger().debug("{}: event loop gone, reply dropped", name());
    }
  }

  private FaultDecision decide(Q request) {
    try {
      return context.faults().decide(answers.probe(request));
    } catch (RuntimeException e) {
      warn("fault gate failed, serving normally", e);
      return FaultDecision.PASS;
    }
  }

  private void act(
      RequestLoop loop, Q request, FaultDecision decision, Map<String, Object> fields, Done<R> done) {
    switch (decision.action()) {
      case ERROR, RESPOND, DROP, RESET -> finish(request, answers.fault(request, decision), fields, done);
      case PASS, DUPLICATE -> route(loop, request, fields, done);
    }
  }

  private void route(RequestLoop loop, Q request, Map<String, Object> fields, Done<R> done) {
    Routed<R> routed;
    try {
      routed = answers.route(request, fields);
    } catch (RuntimeException e) {
      // A request the transport read but the protocol's code fails on: answered as a failed
      // handler, so it is still an event, never a connection closed without a word.
      fail(request, "serving the request failed: " + Failures.oneLine(e), fields, done);
      return;
    }
    if (routed instanceof Routed.Ready<R> ready) {
      finish(request, ready.reply(), fields, done);
    } else if (routed instanceof Routed.Failed<R> failed) {
      fail(request, failed.error(), fields, done);
    } else if (routed instanceof Routed.Ask<R> ask) {
      ask(loop, request, ask, fields, done);
    } else if (routed instanceof Routed.Later<R> later) {
      later(loop, request, later, fields, done);
    }
  }

  private void later(RequestLoop loop, Q request, Routed.Later<R> later, Map<String, Object> fields, Done<R> done) {
    later.reply().whenComplete(
        (reply, error) -> {
          Runnable finish = error != null
              ? () -> fail(request, Failures.messageOf(error), fields, done)
              : () -> finish(request, reply, fields, done);
          if (!loop.hop(finish)) {
            context.logger().debug("{}: event loop gone, reply dropped", name());
          }
        });
  }

  private void ask(RequestLoop loop, Q request, Routed.Ask<R> ask, Map<String, Object> fields, Done<R> done) {
    CompletionStage<MockResponse> stage;
    try {
      stage = ask.handler().handle(ask.request());
      if (stage == null) {
        stage = CompletableFuture.failedFuture(new IllegalStateException("handler returned no result"));
      }
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    // The stage completes on a kernel script thread: the reply is written from the loop.
    stage.whenComplete(
        (response, error) -> {
          if (!loop.hop(() -> answered(request, response, error, fields, done))) {
            context.logger().debug("{}: event loop gone, reply dropped", name());
          }
        });
  }

  private void answered(
      Q request, MockResponse response, Throwable error, Map<String, Object> fields, Done<R> done) {
    if (error != null) {
      fail(request, Failures.messageOf(error), fields, done);
      return;
    }
    if (response == null) {
      fail(request, unsendable("None", answers.mockKind()), fields, done);
      return;
    }
    R reply;
    try {
      reply = answers.respond(request, response);
    } catch (Refusal refusal) {
      fail(request, refusal.error(answers.mockKind()), fields, done);
      return;
    }
    finish(request, reply, fields, done);
  }

  private void fail(Q request, String error, Map<String, Object> fields, Done<R> done) {
    fields.put("error", error);
    finish(request, answers.failed(request, error), fields, done);
  }

  private void finish(Q request, R reply, Map<String, Object> fields, Done<R> done) {
    done.complete(new Outcome<>(this, answers.event(request, reply, fields), reply));
  }

  /** An outcome decided outside {@link #serve}, such as the answer to input that never became a request. */
  public Outcome<R> outcome(MockEvent event, R reply) {
    return new Outcome<>(this, event, reply);
  }

  /** Emits {@code event}; a failing sink is logged, never passed on to the transport. */
  public void emit(MockEvent event) {
    try {
      context.events().emit(event);
    } catch (RuntimeException e) {
      warn("recording a " + event.op() + " event failed", e);
    }
  }

  /** Emits an event that is not a served request's, e.g. an idle client's. */
  public void record(String op, Map<String, ?> fields) {
    emit(definition.event(op, fields));
  }

  private void warn(String what, RuntimeException e) {
    if (answers.logsStackTraces()) {
      context.logger().warn("{}: {}", name(), what, e);
    } else {
      context.logger().warn("{}: {}: {}", name(), what, Failures.oneLine(e));
    }
  }

  public MockDefinition definition() {
    return definition;
  }

  public MockContext context() {
    return context;
  }

  /** The mock's {@code service.interface}, for logs. */
  public String name() {
    return definition.service() + "." + definition.iface().name();
  }

  static String unsendable(String what, String mockKind) {
    return "dynamic handler answered " + what + ", which " + mockKind + " cannot send";
  }
}
