package dev.faultbox.examples.memcached;

import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultProbe;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Serves one client connection: asks the fault gate about each command, holds it for a delay,
 * runs it (or the fault's answer), records its event, then replies. Commands are answered in the
 * order they came, so a delayed one holds those pipelined behind it. Runs on the channel's event
 * loop only.
 */
final class Connection extends ChannelInboundHandlerAdapter {

  private final MockDefinition definition;
  private final MockContext context;
  private final Commands commands;
  private final ArrayDeque<Request> waiting = new ArrayDeque<>();
  /** A command is being delayed: the ones after it wait. */
  private boolean held;

  Connection(MockDefinition definition, MockContext context, Commands commands) {
    this.definition = definition;
    this.context = context;
    this.commands = commands;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    commands.connections.incrementAndGet();
    commands.totalConnections.incrementAndGet();
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    commands.connections.decrementAndGet();
    waiting.clear();
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    waiting.add((Request) msg);
    drain(ctx);
  }

  private void drain(ChannelHandlerContext ctx) {
    while (!held && !waiting.isEmpty() && ctx.channel().isOpen()) {
      serve(ctx, waiting.poll());
    }
  }

  private void serve(ChannelHandlerContext ctx, Request request) {
    FaultDecision decision = decide(request);
    long delay = decision.delay().toNanos();
    if (delay <= 0) {
      act(ctx, request, decision);
      return;
    }
    held = true;
    // Stop reading meanwhile, so a client pipelining behind a slow command is not buffered without bound.
    ctx.channel().config().setAutoRead(false);
    ctx.executor().schedule(() -> {
      held = false;
      ctx.channel().config().setAutoRead(true);
      if (ctx.channel().isOpen()) {
        act(ctx, request, decision);
      }
      drain(ctx);
    }, delay, TimeUnit.NANOSECONDS);
  }

  private void act(ChannelHandlerContext ctx, Request request, FaultDecision decision) {
    Commands.Outcome outcome = switch (decision.action()) {
      case ERROR -> Commands.answer(request, "SERVER_ERROR " + oneLine(decision.message()));
      case RESPOND -> Commands.answer(request, Keys.wire(decision.message()));
      case DROP, RESET -> {
        Map<String, Object> fields = Commands.describe(request);
        fields.put("result", "DROPPED");
        yield new Commands.Outcome(new byte[0], fields, true);
      }
      case PASS, DUPLICATE -> commands.run(request);
    };
    decision.fault().ifPresent(fault -> outcome.fields().put("fault", fault));
    emit(Commands.op(request), outcome.fields());
    boolean send = outcome.reply().length > 0 && !request.noreply();
    if (send && outcome.close()) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(outcome.reply())).addListener(ChannelFutureListener.CLOSE);
    } else if (send) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(outcome.reply()));
    } else if (outcome.close()) {
      ctx.close();
    }
  }

  /**
   * The gate's word on a command: asked once per key it names (a rule on any key of a multi-key
   * get faults the whole get), or once without a key. Refusals and unknown commands are never faulted.
   */
  private FaultDecision decide(Request request) {
    if (request.refusal() != null || !Commands.KNOWN.contains(request.command())) {
      return FaultDecision.PASS;
    }
    String op = Commands.op(request);
    List<String> keys = Commands.keys(request);
    try {
      if (keys.isEmpty()) {
        return orPass(context.faults().decide(new FaultProbe(op, Map.of("command", op))));
      }
      for (String key : keys) {
        FaultDecision d = orPass(context.faults().decide(new FaultProbe(op, Map.of("command", op, "key", Keys.text(key)))));
        if (!d.isPass()) {
          return d;
        }
      }
    } catch (RuntimeException e) {
      context.logger().warn("{}: the fault gate failed, serving normally", name(), e);
    }
    return FaultDecision.PASS;
  }

  private static FaultDecision orPass(FaultDecision d) {
    return d == null ? FaultDecision.PASS : d;
  }

  private void emit(String op, Map<String, Object> fields) {
    try {
      context.events().emit(definition.event(op, fields));
    } catch (RuntimeException e) {
      context.logger().warn("{}: recording a {} event failed", name(), op, e);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset by the client, mostly: that connection ends, the listener goes on.
    context.logger().debug("{}: connection failed: {}", name(), cause.toString());
    ctx.close();
  }

  private String name() {
    return definition.service() + "." + definition.iface().name();
  }

  /** A fault's message as one reply line (wire form). */
  private static String oneLine(String message) {
    String m = message == null || message.isBlank() ? "injected fault" : message;
    return Keys.wire(m.replace('\r', ' ').replace('\n', ' '));
  }
}
