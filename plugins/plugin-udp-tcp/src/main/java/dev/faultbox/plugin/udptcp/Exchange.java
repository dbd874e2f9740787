package dev.faultbox.plugin.udptcp;

import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultProbe;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockRequest;
import dev.faultbox.spi.MockResponse;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One request's way through a mock, shared by TCP and UDP: ask the fault gate, wait its delay,
 * choose the answer (fault, route, default or nothing), record the {@code recv} event, then hand
 * the bytes to the transport. Everything but a dynamic handler runs on the channel's event loop.
 */
final class Exchange {

  static final String OP_RECV = "recv";
  static final String OP_RECV_ERROR = "recv_error";
  /** The most characters of a request kept in the event's {@code body}. */
  static final int BODY_CHARS = 1024;
  /** The fault matcher the request text answers to; see {@link UdpTcpFactory#FAULT_MODEL}. */
  static final String MATCH_PREFIX = "prefix";

  /** Where the answer goes; called once per request, on the channel's event loop. */
  interface Reply {
    /**
     * @param bytes what to send; empty for nothing (TCP still closes)
     */
    void send(byte[] bytes);
  }

  private final MockDefinition definition;
  private final MockContext context;
  private final RouteTable routes;
  private final String protocol;

  Exchange(UdpTcpFactory.Prepared mock, MockContext context) {
    this.definition = mock.definition();
    this.context = context;
    this.routes = mock.routes();
    this.protocol = mock.settings().protocol();
  }

  /**
   * Serves one request. Call on {@code loop}; {@code reply} is called on {@code loop} too, after
   * the event was emitted.
   *
   * @param extraFields fields to add to the event, e.g. UDP's {@code src}
   */
  void serve(EventLoop loop, byte[] request, Map<String, String> extraFields, Reply reply) {
    String text = requestText(request);
    FaultDecision decision = decide(text);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("req_size", request.length);
    fields.put("body", text);
    fields.putAll(extraFields);
    decision.fault().ifPresent(fault -> fields.put("fault", fault));

    long delayNanos = decision.delay() == null ? 0 : decision.delay().toNanos();
    if (delayNanos > 0) {
      loop.schedule(
          () -> afterDelay(loop, request, decision, fields, reply), delayNanos, TimeUnit.NANOSECONDS);
    } else {
      afterDelay(loop, request, decision, fields, reply);
    }
  }

  /** Records a request that never became one: a too-long line, an idle client. */
  void recordError(String error) {
    emit(OP_RECV_ERROR, Map.of("error", error));
  }

  private FaultDecision decide(String text) {
    try {
      FaultDecision decision =
          context.faults().decide(new FaultProbe(OP_RECV, Map.of(MATCH_PREFIX, text)));
      return decision == null ? FaultDecision.PASS : decision;
    } catch (RuntimeException e) {
      context.logger().warn("{}: fault gate failed, serving normally", name(), e);
      return FaultDecision.PASS;
    }
  }

  private void afterDelay(
      EventLoop loop,
      byte[] request,
      FaultDecision decision,
      Map<String, Object> fields,
      Reply reply) {
    FaultDecision.Action action =
        decision.action() == null ? FaultDecision.Action.PASS : decision.action();
    switch (action) {
      case DROP, RESET -> finish(fields, false, Optional.empty(), new byte[0], reply);
      case RESPOND, ERROR -> {
        String message = decision.message() == null ? "" : decision.message();
        finish(fields, false, Optional.empty(), message.getBytes(StandardCharsets.UTF_8), reply);
      }
      case PASS, DUPLICATE -> route(loop, request, fields, reply);
    }
  }

  private void route(EventLoop loop, byte[] request, Map<String, Object> fields, Reply reply) {
    Optional<RouteTable.Match> found = routes.match(request);
    if (found.isEmpty()) {
      finish(fields, false, Optional.empty(), new byte[0], reply);
      return;
    }
    RouteTable.Match match = found.get();
    boolean matched = match.pattern().isPresent();
    if (match.response() instanceof MockResponse.Static s) {
      finish(fields, matched, match.pattern(), s.body(), reply);
    } else if (match.response() instanceof MockResponse.Dynamic d) {
      CompletionStage<MockResponse> stage;
      try {
        stage = d.handler().handle(MockRequest.ofBody(request.clone()));
        if (stage == null) {
          stage = CompletableFuture.failedFuture(new IllegalStateException("handler returned no result"));
        }
      } catch (RuntimeException e) {
        stage = CompletableFuture.failedFuture(e);
      }
      stage.whenComplete(
          (response, error) -> {
            Runnable complete =
                () -> completeDynamic(fields, matched, match.pattern(), response, error, reply);
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
    } else {
      // prepare() rejects anything else; answer as a handler failure would.
      fail(fields, matched, match.pattern(), "a " + protocol + " mock cannot send " + match.response(), reply);
    }
  }

  private void completeDynamic(
      Map<String, Object> fields,
      boolean matched,
      Optional<String> pattern,
      MockResponse response,
      Throwable error,
      Reply reply) {
    if (error != null) {
      fail(fields, matched, pattern, messageOf(error), reply);
    } else if (response instanceof MockResponse.Static s && s.body() != null) {
      finish(fields, matched, pattern, s.body(), reply);
    } else {
      fail(fields, matched, pattern,
          "dynamic handler answered " + kindOf(response) + ", which a " + protocol + " mock cannot send", reply);
    }
  }

  private void fail(
      Map<String, Object> fields,
      boolean matched,
      Optional<String> pattern,
      String message,
      Reply reply) {
    fields.put("error", message);
    byte[] body = ("ERR " + message + "\n").getBytes(StandardCharsets.UTF_8);
    finish(fields, matched, pattern, body, reply);
  }

  private void finish(
      Map<String, Object> fields,
      boolean matched,
      Optional<String> pattern,
      byte[] body,
      Reply reply) {
    fields.put("matched", matched);
    pattern.ifPresent(p -> fields.put("route", p));
    fields.put("resp_size", body.length);
    emit(OP_RECV, fields);
    reply.send(body);
  }

  private void emit(String op, Map<String, Object> fields) {
    try {
      context.events().emit(definition.event(op, fields));
    } catch (RuntimeException e) {
      context.logger().warn("{}: recording a {} event failed", name(), op, e);
    }
  }

  private String name() {
    return definition.service() + "." + definition.iface().name();
  }

  /**
   * What a handler answered, as these errors have always named it: the SPI v1 type names
   * ({@code grpcstatus}, {@code message}) that specs and their assertions already see.
   */
  private static String kindOf(MockResponse response) {
    if (response == null) {
      return "None";
    }
    if (response instanceof MockResponse.Status) {
      return "grpcstatus";
    }
    if (response instanceof MockResponse.Structured) {
      return "message";
    }
    return response.getClass().getSimpleName().toLowerCase(Locale.ROOT);
  }

  /** A failure as one line: the message of the root of any completion wrapping. */
  static String messageOf(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      message = t.getClass().getSimpleName();
    }
    return message.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
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
