package dev.faultbox.plugin.http;

import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultProbe;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockRequest;
import dev.faultbox.spi.MockResponse;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One request's way through a mock, shared by HTTP/1.1 and HTTP/2: ask the fault gate, wait its
 * delay, then answer with the fault, the matched route, the default or 404. The result is an
 * {@link Answer}: the response (or none, to drop) plus the event describing it, which the
 * transport emits right before writing. Everything but a dynamic handler runs on the channel's
 * event loop.
 */
final class Exchange {

  static final String OP_BAD_REQUEST = "bad_request";
  static final String OP_IDLE_TIMEOUT = "idle_timeout";
  static final String OP_H2_ERROR = "h2_error";

  static final String PROTO_H2 = "HTTP/2";

  /** A request's outcome, ready to leave: emit {@link #event}, then write {@link #response}. */
  static final class Answer {
    /** Null to drop: close the connection (or, with {@link #resetOnly}, the stream) without answering. */
    final FullHttpResponse response;
    final MockEvent event;
    /** drop(stream = True): on HTTP/2 reset just the stream; HTTP/1.1 has none, so it closes. */
    final boolean resetOnly;

    Answer(FullHttpResponse response, MockEvent event) {
      this(response, event, false);
    }

    private Answer(FullHttpResponse response, MockEvent event, boolean resetOnly) {
      this.response = response;
      this.event = event;
      this.resetOnly = resetOnly;
    }

    /** No answer: the connection, or only the stream, goes. */
    static Answer dropped(MockEvent event, boolean resetOnly) {
      return new Answer(null, event, resetOnly);
    }

    boolean drop() {
      return response == null;
    }

    /** Releases the response when it will never be written. */
    void discard() {
      if (response != null) {
        ReferenceCountUtil.release(response);
      }
    }
  }

  /** Receives a request's answer, on the request's event loop. */
  interface Done {
    void complete(Answer answer);
  }

  private final MockDefinition definition;
  private final MockContext context;
  private final RouteTable routes;
  /** Each static route response, encoded once, in prepare. */
  private final Map<MockResponse, Responses.Encoded> encoded;

  Exchange(HttpSettings settings, MockContext context) {
    this.definition = settings.definition();
    this.context = context;
    this.routes = settings.routes();
    this.encoded = settings.encoded();
  }

  /** What {@link #serve} needs to know of a request after its buffers are gone. */
  private record Request(
      String method,
      String path,
      String op,
      String proto,
      HttpVersion version,
      boolean head,
      int reqSize,
      long startedNanos,
      RouteTable.Match match,
      MockRequest dynamicRequest) {}

  /**
   * Serves one request. Call on {@code loop}; the request is not retained past this call.
   * {@code done} is called once, on {@code loop}.
   *
   * @param proto {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}
   */
  void serve(EventLoop loop, FullHttpRequest request, String proto, Done done) {
    long started = System.nanoTime();
    HttpVersion version = replyVersion(request.protocolVersion());
    String method = request.method().name();
    String path;
    QueryStringDecoder target;
    try {
      target = new QueryStringDecoder(originForm(request.uri()));
      path = target.path();
    } catch (IllegalArgumentException e) {
      done.complete(badInput(400, "malformed request target: " + oneLine(e), proto, version));
      return;
    }
    RouteTable.Match match = routes.match(method, path);
    MockRequest dynamicRequest = null;
    if (match != null && match.response() instanceof MockResponse.Dynamic) {
      try {
        dynamicRequest = mockRequest(method, path, request, target);
      } catch (IllegalArgumentException e) {
        done.complete(badInput(400, "malformed query: " + oneLine(e), proto, version));
        return;
      }
    }
    Request r =
        new Request(
            method,
            path,
            method + " " + path,
            proto,
            version,
            HttpMethod.HEAD.equals(request.method()),
            request.content().readableBytes(),
            started,
            match,
            dynamicRequest);
    FaultDecision decision = decide(r);
    long delayNanos = decision.delay() == null ? 0 : decision.delay().toNanos();
    if (delayNanos > 0) {
      loop.schedule(() -> act(loop, r, decision, done), delayNanos, TimeUnit.NANOSECONDS);
    } else {
      act(loop, r, decision, done);
    }
  }

  private FaultDecision decide(Request r) {
    try {
      // The method upper-cased, as routes compare it, so method = "GET" takes a "get" request too.
      String method = r.method().toUpperCase(Locale.ROOT);
      FaultDecision decision =
          context.faults().decide(new FaultProbe(r.op(), Map.of("path", r.path(), "method", method)));
      return decision == null ? FaultDecision.PASS : decision;
    } catch (RuntimeException e) {
      context.logger().warn("{}: fault gate failed, serving normally", name(), e);
      return FaultDecision.PASS;
    }
  }

  private void act(EventLoop loop, Request r, FaultDecision decision, Done done) {
    Map<String, String> fields = new LinkedHashMap<>();
    decision.fault().ifPresent(fault -> fields.put("fault", fault));
    FaultDecision.Action action =
        decision.action() == null ? FaultDecision.Action.PASS : decision.action();
    switch (action) {
      case DROP, RESET -> done.complete(Answer.dropped(event(r, 0, 0, fields), action == FaultDecision.Action.RESET));
      case ERROR -> finish(r, Responses.faultJson(decision.status(), decision.message()), fields, done);
      case RESPOND -> finish(r, Responses.faultBody(decision.status(), decision.message()), fields, done);
      case PASS, DUPLICATE -> route(loop, r, fields, done);
    }
  }

  private void route(EventLoop loop, Request r, Map<String, String> fields, Done done) {
    RouteTable.Match match = r.match();
    if (match == null) {
      finish(r, Responses.NOT_FOUND, fields, done);
      return;
    }
    if (match.key() != null) {
      fields.put("route", match.key());
    }
    MockResponse response = match.response();
    Responses.Encoded fixed = encoded.get(response);
    if (fixed != null) {
      finish(r, fixed, fields, done);
    } else if (response instanceof MockResponse.Dynamic d) {
      callDynamic(loop, r, d, fields, done);
    } else {
      // prepare() refuses anything else; answer as a failed handler would.
      fail(r, "an http mock cannot send " + response, fields, done);
    }
  }

  private void callDynamic(
      EventLoop loop, Request r, MockResponse.Dynamic d, Map<String, String> fields, Done done) {
    CompletionStage<MockResponse> stage;
    try {
      stage = d.handler().handle(r.dynamicRequest());
      if (stage == null) {
        stage = CompletableFuture.failedFuture(new IllegalStateException("handler returned no result"));
      }
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete(
        (response, error) -> {
          Runnable complete = () -> completeDynamic(r, response, error, fields, done);
          if (loop.inEventLoop()) {
            complete.run();
          } else {
            try {
              loop.execute(complete);
            } catch (RejectedExecutionException e) {
              context.logger().debug("{}: event loop gone, reply dropped", name());
            }
          }
        });
  }

  private void completeDynamic(
      Request r, MockResponse response, Throwable error, Map<String, String> fields, Done done) {
    if (error != null) {
      fail(r, messageOf(error), fields, done);
      return;
    }
    if (response instanceof MockResponse.Static s && s.body() != null) {
      Responses.Encoded reply;
      try {
        reply = Responses.encode(s);
      } catch (IllegalArgumentException e) {
        fail(r, "dynamic handler answered a response an http mock cannot send: " + oneLine(e), fields, done);
        return;
      }
      finish(r, reply, fields, done);
      return;
    }
    String what = response == null ? "None" : Responses.constructor(response);
    fail(r, "dynamic handler answered " + what + ", which an http mock cannot send", fields, done);
  }

  private void fail(Request r, String message, Map<String, String> fields, Done done) {
    fields.put("error", message);
    finish(r, Responses.text(500, "dynamic handler error: " + message + "\n"), fields, done);
  }

  private void finish(Request r, Responses.Encoded reply, Map<String, String> fields, Done done) {
    FullHttpResponse response = reply.reply(r.version(), r.head());
    done.complete(new Answer(response, event(r, reply.status.code(), reply.bodySize(r.head()), fields)));
  }

  private MockEvent event(Request r, int status, int bodySize, Map<String, String> extra) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("status", status);
    fields.put("body_size", bodySize);
    fields.put("req_size", r.reqSize());
    fields.put("method", r.method());
    fields.put("path", r.path());
    fields.put("proto", r.proto());
    fields.put("duration_ms", (System.nanoTime() - r.startedNanos()) / 1_000_000);
    fields.putAll(extra);
    return definition.event(r.op(), fields);
  }

  /**
   * An answer to input that never became a request: a malformed request, headers or body over
   * the limit. The caller closes the connection (or stream) after writing it.
   */
  Answer badInput(int status, String error, String proto, HttpVersion version) {
    Responses.Encoded reply =
        Responses.text(
            status,
            switch (status) {
              case 413 -> "request body too large\n";
              case 414 -> "request line too long\n";
              case 431 -> "request headers too large\n";
              default -> "bad request\n";
            });
    return new Answer(reply.reply(version, false), badRequest(status, error, proto));
  }

  /** The event of a refused request: {@code bad_request} with the status it got and why. */
  MockEvent badRequest(int status, String error, String proto) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("status", status);
    fields.put("error", error);
    fields.put("proto", proto);
    return definition.event(OP_BAD_REQUEST, fields);
  }

  /** Emits {@code event}; a failing sink is logged, never passed on to the connection. */
  void emit(MockEvent event) {
    try {
      context.events().emit(event);
    } catch (RuntimeException e) {
      context.logger().warn("{}: recording a {} event failed", name(), event.op(), e);
    }
  }

  /** Emits an event that is not a request's: {@code idle_timeout}, {@code h2_error}. */
  void record(String op, Map<String, String> fields) {
    emit(definition.event(op, fields));
  }

  void logDebug(String what, Throwable cause) {
    context.logger().debug("{}: {}", name(), what, cause);
  }

  String name() {
    return definition.service() + "." + definition.iface().name();
  }

  private static MockRequest mockRequest(
      String method, String path, FullHttpRequest request, QueryStringDecoder target) {
    Map<String, String> headers = new LinkedHashMap<>();
    TreeSet<String> seen = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, String> header : request.headers()) {
      String name = header.getKey();
      if (name.regionMatches(true, 0, "x-http2-", 0, 8)) {
        continue; // Netty's HTTP/2 conversion markers, never sent by the client
      }
      if (seen.add(name)) {
        headers.put(name, header.getValue());
      }
    }
    Map<String, String> query = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> parameter : target.parameters().entrySet()) {
      if (!parameter.getValue().isEmpty()) {
        query.put(parameter.getKey(), parameter.getValue().get(0));
      }
    }
    byte[] body = ByteBufUtil.getBytes(request.content());
    return new MockRequest(method, path, headers, query, body, Map.of());
  }

  /** The path-and-query of a request target: absolute-form loses scheme and authority. */
  static String originForm(String uri) {
    int schemeEnd = uri.indexOf("://");
    if (schemeEnd > 0 && !uri.startsWith("/")) {
      int pathStart = uri.indexOf('/', schemeEnd + 3);
      int queryStart = uri.indexOf('?', schemeEnd + 3);
      if (pathStart < 0 || (queryStart >= 0 && queryStart < pathStart)) {
        return queryStart < 0 ? "/" : "/" + uri.substring(queryStart);
      }
      return uri.substring(pathStart);
    }
    return uri;
  }

  private static HttpVersion replyVersion(HttpVersion requested) {
    return HttpVersion.HTTP_1_0.equals(requested) ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
  }

  /** The proto an HTTP/1.x request is recorded with. */
  static String proto(HttpVersion version) {
    return HttpVersion.HTTP_1_0.equals(version) ? "HTTP/1.0" : "HTTP/1.1";
  }

  /** A failure as one line: the message of the root of any completion wrapping. */
  static String messageOf(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return oneLine(t);
  }

  static String oneLine(Throwable t) {
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      message = t.getClass().getSimpleName();
    }
    return message.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
  }
}
