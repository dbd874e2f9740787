package dev.faultbox.plugin.grpc;

import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import dev.faultbox.plugin.support.Failures;
import dev.faultbox.spi.DynamicHandler;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.MockRequest;
import dev.faultbox.spi.MockResponse;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One streaming call, from its first frame to its status: it owns the call's frames in both
 * directions. Each client message is recorded ({@code recv}, with its {@code index}) as it
 * arrives, each server message ({@code send}) before it leaves, and the close as {@code ok} or
 * {@code error} with {@code messages_in} and {@code messages_out}.
 *
 * <p>The route's reply says how the call is answered:
 * <ul>
 *   <li>{@link PreparedReply.Stream}: each client message releases the next scripted message, the
 *       half-close releases the rest, {@code interval} apart; then OK or the script's status. A
 *       client message past the end of the script gets no answer.
 *   <li>{@link PreparedReply.Collect}: the handler gets every client message at the half-close and
 *       answers once.
 *   <li>{@link PreparedReply.Dynamic} and {@link PreparedReply.PerMessage}: the handler is asked per
 *       client message, in order, one at a time; it answers zero or more messages, or a status that
 *       ends the call. The half-close ends the call with OK once every message is answered.
 *   <li>a fixed message: sent at the half-close, then OK; a status: at once.
 * </ul>
 *
 * <p>The fault gate decides once per call, when it starts. grpc-java calls the listener one
 * callback at a time; timers and handlers answer on other threads, so every step holds this
 * object's lock. Client messages are requested one at a time as they are taken, which bounds what
 * is buffered and lets a ping-pong client wait for each answer.
 */
final class StreamCall {

  /** The route's reply kinds that make a call a stream whatever the client does. */
  static boolean declaresStream(RouteTable.Match match) {
    return match != null && (match.reply() instanceof PreparedReply.Stream
        || match.reply() instanceof PreparedReply.Collect || match.reply() instanceof PreparedReply.PerMessage);
  }

  private final Dispatcher dispatcher;
  private final Dispatcher.Call call;
  private final ServerCall<byte[], byte[]> server;
  private final RouteTable.Match match;
  private final Descriptors.MethodDescriptor typed;
  private final GrpcSettings.StreamLimits limits;

  private final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
  private final List<Object> collected = new ArrayList<>();
  /** Answered messages waiting for a per-message delay; the script paces its own. */
  private final ArrayDeque<byte[]> outbox = new ArrayDeque<>();
  /** What ends the call once the outbox is empty; set, the call takes no more client messages. */
  private Runnable afterOutbox;
  private FaultDecision decision = FaultDecision.PASS;
  private PreparedReply reply;
  private boolean ready;
  private boolean begun;
  private boolean busy;
  private boolean draining;
  private boolean again;
  private boolean halfClosed;
  private boolean closed;
  private boolean headersSent;
  /** Frame counts; volatile, as the transport's tracer reads them when the client ends the call. */
  private volatile int in;
  private volatile int out;
  private long outBytes;
  /** Scripted messages the client has released so far ({@link PreparedReply.Stream}). */
  private long released;
  private long lastSend;
  private long lastActivity = System.nanoTime();
  private Future<?> pending;
  private Future<?> outboxTimer;
  private Future<?> idle;

  StreamCall(Dispatcher dispatcher, Dispatcher.Call call, RouteTable.Match match, Descriptors.MethodDescriptor typed) {
    this.dispatcher = dispatcher;
    this.call = call;
    this.server = call.call;
    this.match = match;
    this.typed = typed;
    this.limits = dispatcher.settings.streams();
  }

  private final ServerCall.Listener<byte[]> listener = new ServerCall.Listener<>() {
    @Override
    public void onMessage(byte[] message) {
      received(message);
    }

    @Override
    public void onHalfClose() {
      halfClosed();
    }

    @Override
    public void onCancel() {
      cancelled();
    }
  };

  ServerCall.Listener<byte[]> listener() {
    return listener;
  }

  /**
   * Asks the fault gate and starts serving.
   *
   * @param first the message a call served as unary so far already read, or null
   */
  synchronized ServerCall.Listener<byte[]> start(byte[] first) {
    try {
      decision = dispatcher.context.faults().decide(Dispatcher.probe(call));
    } catch (RuntimeException e) {
      dispatcher.context.logger().warn("{}: fault gate failed, serving normally: {}", dispatcher.name(), Failures.oneLine(e));
    }
    decision.fault().ifPresent(fault -> call.extra.put("fault", fault));
    call.stream = this;
    scheduleIdle(limits.idleMillis());
    if (first != null) {
      call.reqSize = 0;
      received(first);
    }
    long delay = perMessageDelay() > 0 ? 0 : decision.delay().toMillis();
    if (delay > 0) {
      pending = schedule(this::begin, delay * 1_000_000);
    } else {
      begin();
    }
    return listener;
  }

  // ---- the rule's options: after = N, per_message = True --------------------------------

  /** Server messages sent before the fault's status ends the call; -1: at once, as for a unary call. */
  private int faultAfter() {
    return decision.count(Codes.AFTER, -1);
  }

  /** The fault's delay before every server message instead of once; 0: once, at the start. */
  private long perMessageDelay() {
    return decision.flag(Codes.PER_MESSAGE) ? decision.delay().toMillis() : 0;
  }

  private boolean faultEnds() {
    return switch (decision.action()) {
      case ERROR, RESPOND, DROP, RESET -> true;
      case PASS, DUPLICATE -> false;
    };
  }

  // ---- client frames ----------------------------------------------------------------------

  private synchronized void begin() {
    if (closed) {
      return;
    }
    ready = true;
    pending = null;
    lastSend = System.nanoTime();
    server.request(1);
    drain();
  }

  private synchronized void received(byte[] message) {
    if (closed) {
      return;
    }
    touch();
    in++;
    call.reqSize += message.length;
    if (in > limits.maxMessages()) {
      String error = "more than " + limits.maxMessages() + " client messages in one call (max_stream_messages)";
      finish(Dispatcher.OP_ERROR, Status.Code.RESOURCE_EXHAUSTED, error, error);
      return;
    }
    dispatcher.emit(dispatcher.definition.event(Dispatcher.OP_RECV, frame(in - 1, message.length)));
    inbox.add(message);
    drain();
  }

  private synchronized void halfClosed() {
    if (closed) {
      return;
    }
    touch();
    halfClosed = true;
    drain();
  }

  /** The client went away or its deadline passed; the call's tracer records how it ended. */
  private synchronized void cancelled() {
    closed = true;
    cancelTimers();
  }

  /**
   * Takes what arrived as far as the reply lets it; called after every change. A message the
   * transport delivers from inside (asking for one more can deliver it at once) waits for the
   * outer pass, so messages are taken in order.
   */
  private void drain() {
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    try {
      do {
        again = false;
        drainOnce();
      } while (again && !closed);
    } finally {
      draining = false;
    }
  }

  private void drainOnce() {
    if (closed || !ready || busy || afterOutbox != null) {
      return;
    }
    if (!begun) {
      begun = true;
      if (!choose()) {
        return;
      }
    }
    if (reply instanceof PreparedReply.Stream script) {
      while (!inbox.isEmpty()) {
        // A typed method's request is checked whatever answers it, as for a unary call.
        if ((typed != null && decoded(inbox.peek()) == null) || !take()) {
          return;
        }
        released++;
      }
      if (halfClosed) {
        released = Long.MAX_VALUE;
      }
      pump(script);
    } else if (reply instanceof PreparedReply.Collect collect) {
      while (!inbox.isEmpty()) {
        Message message = decoded(inbox.peek());
        if (message == null || !take()) {
          return;
        }
        collected.add(plain(message));
      }
      if (halfClosed) {
        ask(collect.handler(), collectRequest(), true);
      }
    } else if (reply instanceof PreparedReply.Dynamic || reply instanceof PreparedReply.PerMessage) {
      if (!inbox.isEmpty()) {
        Message message = decoded(inbox.peek());
        int index = in - inbox.size();
        busy = true;
        if (message == null || !take()) {
          return;
        }
        DynamicHandler handler = reply instanceof PreparedReply.Dynamic d ? d.handler() : ((PreparedReply.PerMessage) reply).handler();
        MockRequest base = dispatcher.mockRequest(call, message);
        Map<String, Object> extras = new LinkedHashMap<>(base.extras());
        extras.put("index", (long) index);
        ask(handler, new MockRequest(base.method(), base.path(), base.headers(), base.query(), base.body(), extras), false);
      } else if (halfClosed) {
        whenSent(this::end);
      }
    } else if (reply instanceof PreparedReply.Fixed fixed) {
      while (!inbox.isEmpty()) {
        if ((typed != null && decoded(inbox.peek()) == null) || !take()) {
          return;
        }
      }
      if (halfClosed) {
        queue(fixed.bytes());
        whenSent(this::end);
      }
    }
  }

  /** Picks the reply once, when the call may be served: a fault, no route, a status, a broken reply. */
  private boolean choose() {
    if (faultEnds() && faultAfter() <= 0) {
      fault();
      return false;
    }
    if (match == null) {
      finish(Dispatcher.OP_UNMATCHED, Status.Code.UNIMPLEMENTED, "no route for " + call.method, null);
      return false;
    }
    call.extra.put("route", match.route().key());
    reply = match.reply();
    String mismatch = typed == null ? null : GrpcSettings.kindMismatch(reply, typed);
    if (mismatch != null) {
      finish(Dispatcher.OP_ERROR, Status.Code.INTERNAL, mismatch, mismatch);
      return false;
    }
    if (reply instanceof PreparedReply.Status s) {
      finish(s.code() == 0 ? Dispatcher.OP_OK : Dispatcher.OP_ERROR, Status.fromCodeValue(s.code()).getCode(),
          s.code() == 0 ? null : s.message(), null, s.details());
      return false;
    } else if (reply instanceof PreparedReply.Broken broken) {
      String detail = "encode reply for " + call.method + ": " + broken.detail();
      finish(Dispatcher.OP_ERROR, Status.Code.INTERNAL, detail, detail);
      return false;
    }
    return true;
  }

  /** Removes the next message from the inbox and asks the transport for one more. */
  private boolean take() {
    inbox.poll();
    if (!halfClosed) {
      server.request(1);
    }
    return !closed;
  }

  /** The message as the method's input type (a Struct untyped); null, the call ended, when it is not one. */
  private Message decoded(byte[] message) {
    try {
      return Dispatcher.decode(message, typed);
    } catch (InvalidProtocolBufferException e) {
      String detail = "decode request for " + call.method + ": not a "
          + (typed != null ? typed.getInputType().getFullName() : "google.protobuf.Struct") + " (" + Failures.oneLine(e) + ")";
      finish(Dispatcher.OP_ERROR, Status.Code.INVALID_ARGUMENT, detail, detail);
      return null;
    }
  }

  private Object plain(Message message) {
    return message instanceof Struct struct
        ? Messages.plain(struct)
        : Messages.plain(message, dispatcher.settings.schema().registry());
  }

  private MockRequest collectRequest() {
    Map<String, String> metadata = Dispatcher.metadata(call.headers);
    Map<String, Object> extras = new LinkedHashMap<>();
    extras.put("requests", new ArrayList<>(collected));
    extras.put("metadata", new LinkedHashMap<String, Object>(metadata));
    return new MockRequest("POST", call.method, metadata, Map.of(), new byte[0], extras);
  }

  // ---- handlers ---------------------------------------------------------------------------

  private void ask(DynamicHandler handler, MockRequest request, boolean once) {
    busy = true;
    CompletionStage<MockResponse> stage;
    try {
      stage = Objects.requireNonNull(handler.handle(request), "handler returned no result");
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((response, error) -> answered(response, error, once));
  }

  private synchronized void answered(MockResponse response, Throwable error, boolean once) {
    busy = false;
    if (closed) {
      return;
    }
    if (error != null) {
      failed(Failures.messageOf(error));
      return;
    }
    List<?> items = response instanceof MockResponse.Composite c && GrpcSettings.RESPONSES.equals(c.kind())
        && c.parts().get("responses") instanceof List<?> list ? list : null;
    if (items != null && once && items.size() != 1) {
      failed("a client-streaming call answers one message, and grpc.collect's function answered a list of "
          + items.size());
      return;
    }
    for (Object item : items != null ? items : java.util.Collections.singletonList(response)) {
      if (!answer(item) || closed) {
        return;
      }
    }
    if (once) {
      whenSent(this::end);
    } else {
      drain();
    }
  }

  /** Sends one answered item; false when it ended the call. */
  private boolean answer(Object item) {
    if (item instanceof MockResponse.Structured message) {
      try {
        queue(dispatcher.encodeDynamic(call.method, message));
      } catch (IllegalArgumentException e) {
        failed("encode reply for " + call.method + ": " + e.getMessage());
        return false;
      }
      return true;
    } else if (item instanceof MockResponse.Status s) {
      int code;
      ErrorDetails.Encoded details;
      try {
        code = Codes.resolve(s.code());
        details = ErrorDetails.encode(code, s.message(), s.details(), dispatcher.settings.schema());
      } catch (IllegalArgumentException e) {
        failed("dynamic handler answered " + e.getMessage());
        return false;
      }
      if (code == 0) {
        whenSent(this::end);
      } else {
        whenSent(() -> finish(Dispatcher.OP_ERROR, Status.fromCodeValue(code).getCode(), s.message(), null, details));
      }
      return false;
    } else if (item instanceof MockResponse.Static s && s.body() != null && GrpcSettings.refusal(s) == null) {
      queue(s.body());
      return true;
    }
    String what = item == null ? "None"
        : item instanceof MockResponse.Static s && s.body() != null ? "json_response or text_response"
        : item instanceof MockResponse.Composite c ? c.kind() + "(...)"
        : item instanceof MockResponse ? "dynamic()" : "a " + item.getClass().getSimpleName();
    failed("dynamic handler answered " + what + ", which a grpc mock cannot send");
    return false;
  }

  private void failed(String error) {
    finish(Dispatcher.OP_ERROR, Status.Code.INTERNAL, error, error);
  }

  // ---- server frames ----------------------------------------------------------------------

  /** Sends the released scripted messages, {@code interval} apart, and ends the call after the last. */
  private void pump(PreparedReply.Stream script) {
    if (pending != null) {
      return; // a timer sends the next one
    }
    List<byte[]> messages = script.messages();
    while (!closed && out < messages.size() && out < released) {
      long gap = out == 0 ? perMessageDelay() : Math.max(script.intervalMillis(), perMessageDelay());
      long wait = gap * 1_000_000 - (System.nanoTime() - lastSend);
      if (wait > 0) {
        pending = schedule(() -> {
          synchronized (this) {
            pending = null;
            if (!closed) {
              pump(script);
            }
          }
        }, wait);
        return;
      }
      send(messages.get(out));
    }
    if (!closed && halfClosed && out >= messages.size()) {
      if (script.then() != null && script.then().code() != 0) {
        finish(Dispatcher.OP_ERROR, Status.fromCodeValue(script.then().code()).getCode(), script.then().message(), null,
            script.then().details());
      } else {
        end();
      }
    }
  }

  /** An answered message: sent at once, or after the rule's per-message delay. */
  private void queue(byte[] message) {
    outbox.add(message);
    flushOutbox();
  }

  /** Ends the call with {@code end} once every answered message is sent. */
  private void whenSent(Runnable end) {
    if (afterOutbox == null) {
      afterOutbox = end;
    }
    flushOutbox();
  }

  private void flushOutbox() {
    long gap = perMessageDelay();
    while (!closed && !outbox.isEmpty()) {
      long wait = gap * 1_000_000 - (System.nanoTime() - lastSend);
      if (gap > 0 && wait > 0) {
        if (outboxTimer == null) {
          outboxTimer = schedule(() -> {
            synchronized (this) {
              outboxTimer = null;
              flushOutbox();
            }
          }, wait);
        }
        return;
      }
      send(outbox.poll());
    }
    if (!closed && afterOutbox != null) {
      afterOutbox.run();
    }
  }

  /** A message's event fields; Map.of, which the event keeps as it is, with no copy per frame. */
  private Map<String, Object> frame(int index, int size) {
    Object via = call.extra.get("protocol"); // a gRPC-Web or Connect call
    return via == null
        ? Map.of("method", call.method, "index", index, "size", size)
        : Map.of("method", call.method, "index", index, "size", size, "protocol", via);
  }

  private void send(byte[] message) {
    if (closed) {
      return;
    }
    touch();
    dispatcher.emit(dispatcher.definition.event(Dispatcher.OP_SEND, frame(out, message.length)));
    try {
      if (!headersSent) {
        headersSent = true;
        server.sendHeaders(new Metadata());
      }
      server.sendMessage(message);
    } catch (RuntimeException e) {
      dispatcher.context.logger().debug("{}: message to {} not sent", dispatcher.name(), call.method, e);
    }
    out++;
    outBytes += message.length;
    lastSend = System.nanoTime();
    int after = faultAfter();
    if (faultEnds() && after >= 0 && out >= after) {
      fault();
    }
  }

  /** The call's end with OK, or with the fault's status when a fault waits for more messages than came. */
  private void end() {
    if (faultEnds() && faultAfter() >= 0) {
      fault();
      return;
    }
    finish(Dispatcher.OP_OK, Status.Code.OK, null, null);
  }

  private void fault() {
    if (decision.action() == FaultDecision.Action.DROP || decision.action() == FaultDecision.Action.RESET) {
      finish(Dispatcher.OP_ERROR, Status.Code.UNAVAILABLE, "connection dropped", null);
      return;
    }
    int code = decision.status() >= 1 && decision.status() <= 16 ? decision.status() : Status.Code.INTERNAL.value();
    finish(Dispatcher.OP_ERROR, Status.fromCodeValue(code).getCode(), decision.message(), null);
  }

  /**
   * Records the call's end and closes it, once.
   *
   * @param error what failed inside the mock, the event's {@code error}; null if nothing did
   */
  private void finish(String op, Status.Code code, String message, String error) {
    finish(op, code, message, error, null);
  }

  /** @param details an encoded google.rpc.Status for the trailers; null for none */
  private void finish(String op, Status.Code code, String message, String error, ErrorDetails.Encoded details) {
    if (closed) {
      return;
    }
    closed = true;
    cancelTimers();
    if (!call.claim()) {
      return;
    }
    Map<String, Object> fields = Dispatcher.callFields(call.trace, code, message, call.reqSize);
    if (code == Status.Code.OK) {
      fields.put("resp_size", outBytes);
    }
    if (error != null) {
      fields.put("error", error);
    }
    Metadata trailers = new Metadata();
    if (details != null) {
      fields.put("details", details.types());
      trailers.put(ErrorDetails.TRAILER, details.status());
    }
    dispatcher.emit(dispatcher.definition.event(op, fields));
    dispatcher.close(call, code == Status.Code.OK ? Status.OK : Status.fromCode(code).withDescription(message), trailers);
  }

  /**
   * The frame counts for the call's closing event, however it ends: read without the lock, as a
   * call the client ends is recorded from the transport's tracer.
   */
  void counts(Map<String, Object> fields) {
    fields.put("messages_in", in);
    fields.put("messages_out", out);
  }

  // ---- timers -----------------------------------------------------------------------------

  private void touch() {
    lastActivity = System.nanoTime();
  }

  /** Ends a call with nothing moving either way for the idle limit; checked at most once per limit. */
  private void scheduleIdle(long afterMillis) {
    idle = schedule(() -> {
      synchronized (this) {
        if (closed) {
          return;
        }
        long quiet = (System.nanoTime() - lastActivity) / 1_000_000;
        if (quiet >= limits.idleMillis() && !busy) {
          String error = "no message either way for " + limits.idleMillis() + " ms (stream_idle_timeout_ms)";
          finish(Dispatcher.OP_ERROR, Status.Code.DEADLINE_EXCEEDED, error, error);
        } else {
          scheduleIdle(Math.max(1, limits.idleMillis() - quiet));
        }
      }
    }, afterMillis * 1_000_000);
  }

  private Future<?> schedule(Runnable task, long nanos) {
    try {
      return dispatcher.context.scheduler().schedule(task, nanos, TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      return null; // the run is ending: the call ends with it
    }
  }

  private void cancelTimers() {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
    if (outboxTimer != null) {
      outboxTimer.cancel(false);
      outboxTimer = null;
    }
    if (idle != null) {
      idle.cancel(false);
      idle = null;
    }
  }
}
