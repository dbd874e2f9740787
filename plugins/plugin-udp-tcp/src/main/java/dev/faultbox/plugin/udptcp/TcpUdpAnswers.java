package dev.faultbox.plugin.udptcp;

import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultProbe;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockRequest;
import dev.faultbox.spi.MockResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How TCP and UDP mocks answer in a {@link MockExchange}: a request is its bytes, a reply the
 * bytes to send (empty for nothing: TCP still closes), the event {@code recv}. A fault's
 * {@code message} is sent as is; a failed handler's error as {@code ERR <error>\n}.
 */
final class TcpUdpAnswers implements MockExchange.Answers<TcpUdpAnswers.Request, byte[]> {

  static final String OP_RECV = "recv";
  static final String OP_RECV_ERROR = "recv_error";
  /** The most characters of a request kept in the event's {@code body}. */
  static final int BODY_CHARS = 1024;
  /** The fault matcher the request text answers to; see {@link UdpTcpFactory#FAULT_MODEL}. */
  static final String MATCH_PREFIX = "prefix";

  private static final byte[] NOTHING = new byte[0];

  /**
   * One line or datagram.
   *
   * @param extraFields fields to add to the event, e.g. UDP's {@code src}
   */
  record Request(byte[] bytes, String text, Map<String, String> extraFields) {
    Request(byte[] bytes, Map<String, String> extraFields) {
      this(bytes, requestText(bytes), extraFields);
    }
  }

  private final MockDefinition definition;
  private final RouteTable routes;
  private final String protocol;

  TcpUdpAnswers(UdpTcpFactory.Prepared mock) {
    this.definition = mock.definition();
    this.routes = mock.routes();
    this.protocol = mock.settings().protocol();
  }

  @Override
  public String mockKind() {
    return "a " + protocol + " mock";
  }

  @Override
  public FaultProbe probe(Request request) {
    return new FaultProbe(OP_RECV, Map.of(MATCH_PREFIX, request.text()));
  }

  @Override
  public byte[] fault(Request request, FaultDecision decision) {
    return switch (decision.action()) {
      case RESPOND, ERROR -> decision.message().getBytes(StandardCharsets.UTF_8);
      default -> NOTHING;
    };
  }

  @Override
  public MockExchange.Routed<byte[]> route(Request request, Map<String, Object> fields) {
    Optional<RouteTable.Match> found = routes.match(request.bytes());
    if (found.isEmpty()) {
      return new MockExchange.Routed.Ready<>(NOTHING);
    }
    RouteTable.Match match = found.get();
    fields.put("matched", match.pattern().isPresent());
    match.pattern().ifPresent(p -> fields.put("route", p));
    if (match.response() instanceof MockResponse.Static s) {
      return new MockExchange.Routed.Ready<>(s.body());
    } else if (match.response() instanceof MockResponse.Dynamic d) {
      return new MockExchange.Routed.Ask<>(d.handler(), MockRequest.ofBody(request.bytes().clone()));
    }
    // prepare() rejects anything else; answer as a handler failure would.
    return new MockExchange.Routed.Failed<>(mockKind() + " cannot send " + match.response());
  }

  @Override
  public byte[] respond(Request request, MockResponse response) throws MockExchange.Refusal {
    if (response instanceof MockResponse.Static s && s.body() != null) {
      return s.body();
    }
    throw MockExchange.Refusal.kind(kindOf(response));
  }

  @Override
  public byte[] failed(Request request, String error) {
    return ("ERR " + error + "\n").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public MockEvent event(Request request, byte[] reply, Map<String, Object> fields) {
    fields.put("req_size", request.bytes().length);
    fields.put("body", request.text());
    fields.putAll(request.extraFields());
    fields.putIfAbsent("matched", false);
    fields.put("resp_size", reply.length);
    return definition.event(OP_RECV, fields);
  }

  /**
   * What a handler answered, as these errors have always named it: the SPI v1 type names
   * ({@code grpcstatus}, {@code message}) that specs and their assertions already see.
   */
  private static String kindOf(MockResponse response) {
    if (response instanceof MockResponse.Status) {
      return "grpcstatus";
    }
    if (response instanceof MockResponse.Structured) {
      return "message";
    }
    return response.getClass().getSimpleName().toLowerCase(Locale.ROOT);
  }

  /**
   * The request as text for events and fault rules: UTF-8, trailing {@code \r\n} or {@code \n}
   * removed, at most {@link #BODY_CHARS} characters.
   */
  static String requestText(byte[] request) {
    int length = request.length;
    // 4 bytes per character at most, so this keeps enough to fill BODY_CHARS.
    int decodeBytes = Math.min(length, BODY_CHARS * 4);
    if (decodeBytes == length) {
      if (length > 0 && request[length - 1] == '\n') {
        length--;
        if (length > 0 && request[length - 1] == '\r') {
          length--;
        }
      }
      decodeBytes = length;
    }
    String text = new String(request, 0, decodeBytes, StandardCharsets.UTF_8);
    if (text.length() > BODY_CHARS) {
      int end = BODY_CHARS;
      if (Character.isHighSurrogate(text.charAt(end - 1))) {
        end--;
      }
      text = text.substring(0, end);
    }
    return text;
  }
}
