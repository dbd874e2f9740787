package dev.faultbox.plugin.http;

import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.plugin.support.RequestLoop;
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
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * How HTTP/1.1 and HTTP/2 mocks answer in a {@link MockExchange}: a fault as its JSON error or
 * body, the matched route, the default or 404; a failed handler as 500. Also what never becomes a
 * request (a malformed target, headers or body over the limit) and the events of a connection.
 * The transport emits each {@link MockExchange.Outcome}'s event right before writing its reply.
 */
final class HttpAnswers implements MockExchange.Answers<HttpAnswers.Request, HttpReply> {

  static final String OP_BAD_REQUEST = "bad_request";
  static final String OP_IDLE_TIMEOUT = "idle_timeout";
  static final String OP_H2_ERROR = "h2_error";

  static final String PROTO_H2 = "HTTP/2";

  /** What the exchange needs to know of a request after its buffers are gone. */
  record Request(
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

  private final MockDefinition definition;
  private final RouteTable routes;
  /** Each static route response, encoded once, in prepare. */
  private final Map<MockResponse, Responses.Encoded> encoded;
  private final MockExchange<Request, HttpReply> exchange;

  HttpAnswers(HttpSettings settings, MockContext context) {
    this.definition = settings.definition();
    this.routes = settings.routes();
    this.encoded = settings.encoded();
    this.exchange = new MockExchange<>(definition, context, this);
  }

  /**
   * Serves one request. Call on {@code loop}; the request is not retained past this call.
   * {@code done} is called once, on {@code loop}.
   *
   * @param proto {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}
   */
  void serve(EventLoop loop, FullHttpRequest request, String proto, MockExchange.Done<HttpReply> done) {
    long started = System.nanoTime();
    HttpVersion version = replyVersion(request.protocolVersion());
    String method = request.method().name();
    String path;
    QueryStringDecoder target;
    try {
      target = new QueryStringDecoder(originForm(request.uri()));
      path = target.path();
    } catch (IllegalArgumentException e) {
      done.complete(badInput(400, "malformed request target: " + Failures.oneLine(e), proto, version));
      return;
    }
    RouteTable.Match match = routes.match(method, path);
    MockRequest dynamicRequest = null;
    if (match != null && match.response() instanceof MockResponse.Dynamic) {
      try {
        dynamicRequest = mockRequest(method, path, request, target);
      } catch (IllegalArgumentException e) {
        done.complete(badInput(400, "malformed query: " + Failures.oneLine(e), proto, version));
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
    exchange.serve(RequestLoop.of(loop), r, done);
  }

  @Override
  public String mockKind() {
    return "an http mock";
  }

  @Override
  public FaultProbe probe(Request r) {
    // The method upper-cased, as routes compare it, so method = "GET" takes a "get" request too.
    String method = r.method().toUpperCase(Locale.ROOT);
    return new FaultProbe(r.op(), Map.of("path", r.path(), "method", method));
  }

  @Override
  public HttpReply fault(Request r, FaultDecision decision) {
    return switch (decision.action()) {
      case ERROR -> reply(r, Responses.faultJson(decision.status(), decision.message()));
      case RESPOND -> reply(r, Responses.faultBody(decision.status(), decision.message()));
      default -> HttpReply.dropped(decision.action() == FaultDecision.Action.RESET);
    };
  }

  @Override
  public MockExchange.Routed<HttpReply> route(Request r, Map<String, Object> fields) {
    RouteTable.Match match = r.match();
    if (match == null) {
      return new MockExchange.Routed.Ready<>(reply(r, Responses.NOT_FOUND));
    }
    if (match.key() != null) {
      fields.put("route", match.key());
    }
    MockResponse response = match.response();
    Responses.Encoded fixed = encoded.get(response);
    if (fixed != null) {
      return new MockExchange.Routed.Ready<>(reply(r, fixed));
    } else if (response instanceof MockResponse.Dynamic d) {
      return new MockExchange.Routed.Ask<>(d.handler(), r.dynamicRequest());
    }
    // prepare() refuses anything else; answer as a failed handler would.
    return new MockExchange.Routed.Failed<>(mockKind() + " cannot send " + response);
  }

  @Override
  public HttpReply respond(Request r, MockResponse response) throws MockExchange.Refusal {
    if (!(response instanceof MockResponse.Static s && s.body() != null)) {
      throw MockExchange.Refusal.kind(Responses.constructor(response));
    }
    try {
      return reply(r, Responses.encode(s));
    } catch (IllegalArgumentException e) {
      throw new MockExchange.Refusal(
          "dynamic handler answered a response " + mockKind() + " cannot send: " + Failures.oneLine(e));
    }
  }

  @Override
  public HttpReply failed(Request r, String error) {
    return reply(r, Responses.text(500, "dynamic handler error: " + error + "\n"));
  }

  @Override
  public MockEvent event(Request r, HttpReply reply, Map<String, Object> extra) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("status", reply.status());
    fields.put("body_size", reply.bodySize());
    fields.put("req_size", r.reqSize());
    fields.put("method", r.method());
    fields.put("path", r.path());
    fields.put("proto", r.proto());
    fields.put("duration_ms", (System.nanoTime() - r.startedNanos()) / 1_000_000);
    fields.putAll(extra);
    return definition.event(r.op(), fields);
  }

  private static HttpReply reply(Request r, Responses.Encoded encoded) {
    return new HttpReply(encoded.reply(r.version(), r.head()));
  }

  /**
   * An answer to input that never became a request: a malformed request, headers or body over
   * the limit. The caller closes the connection (or stream) after writing it.
   */
  MockExchange.Outcome<HttpReply> badInput(int status, String error, String proto, HttpVersion version) {
    Responses.Encoded reply =
        Responses.text(
            status,
            switch (status) {
              case 413 -> "request body too large\n";
              case 414 -> "request line too long\n";
              case 431 -> "request headers too large\n";
              default -> "bad request\n";
            });
    return exchange.outcome(badRequest(status, error, proto), new HttpReply(reply.reply(version, false)));
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
    exchange.emit(event);
  }

  /** Emits an event that is not a request's: {@code idle_timeout}, {@code h2_error}. */
  void record(String op, Map<String, String> fields) {
    exchange.record(op, fields);
  }

  /** The mock's {@code service.interface}, for logs. */
  String name() {
    return exchange.name();
  }

  void logDebug(String what, Throwable cause) {
    exchange.context().logger().debug("{}: {}", exchange.name(), what, cause);
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
}
