package dev.faultbox.plugin.redis;

import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.plugin.support.RequestLoop;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

/**
 * The end of a redis connection's pipeline: turns each decoded command (a RESP array of bulk
 * strings, or an inline line as redis-cli and telnet send it) into a {@link Command}, serves the
 * commands one at a time through the {@link MockExchange} so that replies leave strictly in the
 * order the commands came (a delayed one holds those behind it), and writes each reply after its
 * event. Pipelined replies are flushed together. Input is paused while more than
 * {@link #MAX_QUEUED} commands wait or the client does not read its replies.
 */
final class RedisHandler extends ChannelInboundHandlerAdapter {

  static final int MAX_QUEUED = 1024;

  static final String OP_PROTOCOL_ERROR = "PROTOCOL_ERROR";

  static void pipeline(SocketChannel ch, MockExchange<Command, Reply> exchange, boolean needsAuth, Clients clients) {
    Session session = new Session(!needsAuth);
    session.addr = hostPort(ch.remoteAddress());
    session.laddr = hostPort(ch.localAddress());
    session.closer = ch::close;
    clients.join(session);
    ch.closeFuture().addListener(f -> clients.leave(session));
    session.loop = ch.eventLoop();
    ch.pipeline()
        .addLast("decoder", new RequestDecoder(session, needsAuth))
        .addLast("mock", new RedisHandler(exchange, session));
  }

  private static String hostPort(java.net.InetSocketAddress a) {
    return a == null ? "?:0" : a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  private final MockExchange<Command, Reply> exchange;
  private final Session session;
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private boolean busy;
  private boolean draining;
  private boolean closing;
  /** Inside a read batch: replies are flushed together at its end (channelReadComplete), one write for a pipeline. */
  private boolean reading;

  RedisHandler(MockExchange<Command, Reply> exchange, Session session) {
    this.exchange = exchange;
    this.session = session;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      return;
    }
    reading = true;
    queue.add(msg instanceof List<?> argv ? Command.of((List<String>) argv, session) : msg);
    if (queue.size() > MAX_QUEUED) {
      ctx.channel().config().setAutoRead(false);
    }
    drain(ctx);
  }

  private void drain(ChannelHandlerContext ctx) {
    if (draining) {
      return;
    }
    draining = true;
    try {
      while (!busy && !closing && !queue.isEmpty() && ctx.channel().isWritable()) {
        if (session.killed) { // CLIENT KILL from another connection: its close is on its way
          closing = true;
          queue.clear();
          ctx.close();
          break;
        }
        Object next = queue.poll();
        if (next instanceof RequestDecoder.Refused error) {
          refuse(ctx, error);
          break;
        }
        busy = true;
        session.lastMs = System.currentTimeMillis();
        session.lastArgv = ((Command) next).argv();
        exchange.serve(RequestLoop.of(ctx.channel().eventLoop()), (Command) next, outcome -> {
          Reply reply = outcome.emit();
          busy = false;
          send(ctx, reply);
          if (!draining) {
            drain(ctx);
          }
        });
      }
    } finally {
      draining = false;
    }
    if (!closing) {
      if (!reading) {
        flush(ctx);
      }
      if (queue.size() < MAX_QUEUED / 4 && ctx.channel().isWritable() && !ctx.channel().config().isAutoRead()) {
        ctx.channel().config().setAutoRead(true);
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    reading = false;
    if (!closing) {
      flush(ctx);
    }
    ctx.fireChannelReadComplete();
  }

  /**
   * The replies of the current batch, encoded back to back into one buffer (one allocation and one
   * write for a pipeline); handed to the channel at each flush, or once it holds {@link #OUT_CHUNK}
   * bytes so that the channel's writability sees it.
   */
  private ByteBuf pending;

  static final int OUT_CHUNK = 64 * 1024;

  private void append(ChannelHandlerContext ctx, Reply reply) {
    if (pending == null) {
      pending = ctx.alloc().ioBuffer();
    }
    reply.write(pending, session.resp3);
    if (pending.readableBytes() >= OUT_CHUNK) {
      writePending(ctx);
    }
  }

  private void writePending(ChannelHandlerContext ctx) {
    if (pending != null) {
      ByteBuf out = pending;
      pending = null;
      ctx.write(out);
    }
  }

  private void flush(ChannelHandlerContext ctx) {
    writePending(ctx);
    ctx.flush();
  }

  private void send(ChannelHandlerContext ctx, Reply reply) {
    if (closing) {
      return;
    }
    if (reply instanceof Reply.Close) {
      closing = true;
      queue.clear();
      flush(ctx); // the replies owed to earlier commands, then the drop
      ctx.close();
    } else if (reply instanceof Reply.ThenClose then) {
      closing = true;
      queue.clear();
      append(ctx, then.reply());
      writePending(ctx);
      ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    } else if (!session.silenced()) {
      append(ctx, reply);
    }
  }

  private ByteBuf encode(ChannelHandlerContext ctx, Reply reply) {
    ByteBuf out = ctx.alloc().buffer();
    reply.write(out, session.resp3);
    return out;
  }

  /** Records the refusal, answers redis-server's protocol error and closes, after earlier replies. */
  private void refuse(ChannelHandlerContext ctx, RequestDecoder.Refused refused) {
    String text = refused.silent() ? refused.text() : "ERR Protocol error: " + refused.text();
    exchange.record(OP_PROTOCOL_ERROR, Map.of("error", text, "db", (long) session.db));
    closing = true;
    queue.clear();
    if (refused.silent()) {
      flush(ctx);
      ctx.close();
    } else {
      append(ctx, Reply.error(text)); // after the replies owed to earlier commands
      writePending(ctx);
      ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /**
   * Pushes (pub/sub messages) from other connections, written on this connection's loop. A client
   * that does not read them is closed once {@link #PUSH_LIMIT} bytes wait for it, as
   * redis-server's {@code client-output-buffer-limit pubsub 32mb} hard limit does, so a silent
   * subscriber cannot make the mock buffer without bound.
   */
  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    java.util.concurrent.atomic.AtomicLong queued = new java.util.concurrent.atomic.AtomicLong();
    session.push = reply -> {
      long size = pushSize(reply);
      if (queued.addAndGet(size) > PUSH_LIMIT) {
        queued.addAndGet(-size);
        ctx.channel().close();
        return;
      }
      try {
        ctx.channel().eventLoop().execute(() -> {
          queued.addAndGet(-size);
          if (closing || !ctx.channel().isActive()) {
            return;
          }
          io.netty.channel.ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
          if (out != null && out.totalPendingWriteBytes() + queued.get() > PUSH_LIMIT) {
            closing = true;
            queue.clear();
            ctx.close();
            return;
          }
          ctx.writeAndFlush(encode(ctx, reply));
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        queued.addAndGet(-size); // the loop is gone with the connection
      }
    };
  }

  static final long PUSH_LIMIT = 32L * 1024 * 1024;

  /** About the bytes a push takes on the wire: its strings plus framing. */
  private static long pushSize(Reply reply) {
    long size = 16;
    if (reply instanceof Reply.Push push) {
      for (Reply item : push.items()) {
        size += 16 + (item instanceof Reply.Bulk b && b.bytes() != null ? b.bytes().length() : 0);
      }
    }
    return size;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    closing = true;
    queue.clear();
    session.closed(); // a blocked wait and subscriptions must not outlive the connection
    if (pending != null) {
      pending.release();
      pending = null;
    }
    super.channelInactive(ctx);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      drain(ctx);
    } else {
      ctx.channel().config().setAutoRead(false);
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (closing) {
      ctx.close();
      return;
    }
    exchange.context().logger().debug("{}: connection failed: {}", exchange.name(), Failures.oneLine(cause));
    closing = true;
    ctx.close();
  }
}
