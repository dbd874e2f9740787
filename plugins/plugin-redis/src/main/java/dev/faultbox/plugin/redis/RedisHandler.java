package dev.faultbox.plugin.redis;

import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.plugin.support.RequestLoop;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.InlineCommandRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
  /** The longest inline command and bulk string the mock reads: redis-server's 64 KiB inline limit; 512 MB bulk. */
  static final int MAX_INLINE = 64 * 1024;
  static final int MAX_BULK = 512 * 1024 * 1024;

  static final String OP_PROTOCOL_ERROR = "PROTOCOL_ERROR";

  static void pipeline(SocketChannel ch, MockExchange<Command, Reply> exchange, boolean needsAuth) {
    ch.pipeline()
        .addLast("decoder", new RedisDecoder(MAX_INLINE, io.netty.handler.codec.redis.FixedRedisMessagePool.INSTANCE, true))
        .addLast("bulk", new RedisBulkStringAggregator())
        .addLast("array", new RedisArrayAggregator())
        .addLast("encoder", new RedisEncoder())
        .addLast("mock", new RedisHandler(exchange, new Session(!needsAuth)));
  }

  /** Input the mock refuses, answered with {@code -ERR Protocol error: <text>} and a close. */
  private record ProtocolError(String text) {}

  private final MockExchange<Command, Reply> exchange;
  private final Session session;
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private boolean busy;
  private boolean draining;
  private boolean closing;

  RedisHandler(MockExchange<Command, Reply> exchange, Session session) {
    this.exchange = exchange;
    this.session = session;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (closing) {
        return;
      }
      Object item = request(msg);
      if (item != null) {
        queue.add(item);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
    if (queue.size() > MAX_QUEUED) {
      ctx.channel().config().setAutoRead(false);
    }
    drain(ctx);
  }

  /** A Command, a ProtocolError, or null for input redis-server ignores (an empty line or array). */
  private Object request(Object msg) {
    List<String> argv;
    if (msg instanceof ArrayRedisMessage array) {
      if (array.isNull() || array.children().isEmpty()) {
        return null;
      }
      argv = new ArrayList<>(array.children().size());
      for (RedisMessage child : array.children()) {
        if (!(child instanceof FullBulkStringRedisMessage bulk) || bulk.isNull()) {
          return new ProtocolError("expected '$', got '" + typeByte(child) + "'");
        }
        ByteBuf content = bulk.content();
        argv.add(content.toString(StandardCharsets.ISO_8859_1));
      }
    } else if (msg instanceof InlineCommandRedisMessage inline) {
      argv = InlineArgs.split(Command.binary(inline.content()));
      if (argv == null) {
        return new ProtocolError("unbalanced quotes in request");
      }
    } else if (msg instanceof SimpleStringRedisMessage s) {
      argv = InlineArgs.split(Command.binary("+" + s.content()));
    } else if (msg instanceof ErrorRedisMessage e) {
      argv = InlineArgs.split(Command.binary("-" + e.content()));
    } else if (msg instanceof IntegerRedisMessage i) {
      argv = List.of(":" + i.value());
    } else if (msg instanceof FullBulkStringRedisMessage) {
      return new ProtocolError("expected '*', got '$'");
    } else {
      return new ProtocolError("unexpected input");
    }
    if (argv == null || argv.isEmpty()) {
      return argv == null ? new ProtocolError("unbalanced quotes in request") : null;
    }
    return Command.of(argv, session);
  }

  private static char typeByte(RedisMessage m) {
    if (m instanceof SimpleStringRedisMessage) {
      return '+';
    } else if (m instanceof ErrorRedisMessage) {
      return '-';
    } else if (m instanceof IntegerRedisMessage) {
      return ':';
    } else if (m instanceof ArrayRedisMessage) {
      return '*';
    }
    return '$';
  }

  private void drain(ChannelHandlerContext ctx) {
    if (draining) {
      return;
    }
    draining = true;
    try {
      while (!busy && !closing && !queue.isEmpty() && ctx.channel().isWritable()) {
        Object next = queue.poll();
        if (next instanceof ProtocolError error) {
          refuse(ctx, error.text());
          break;
        }
        busy = true;
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
      ctx.flush();
      if (queue.size() < MAX_QUEUED / 4 && ctx.channel().isWritable() && !ctx.channel().config().isAutoRead()) {
        ctx.channel().config().setAutoRead(true);
      }
    }
  }

  private void send(ChannelHandlerContext ctx, Reply reply) {
    if (closing) {
      return;
    }
    if (reply instanceof Reply.Close) {
      closing = true;
      queue.clear();
      ctx.close();
    } else if (reply instanceof Reply.ThenClose then) {
      closing = true;
      queue.clear();
      ctx.writeAndFlush(then.reply().message()).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.write(reply.message());
    }
  }

  /** Records the refusal, answers redis-server's protocol error and closes, after earlier replies. */
  private void refuse(ChannelHandlerContext ctx, String text) {
    exchange.record(OP_PROTOCOL_ERROR, Map.of("error", "ERR Protocol error: " + text, "db", (long) session.db));
    closing = true;
    queue.clear();
    ctx.writeAndFlush(new ErrorRedisMessage("ERR Protocol error: " + text)).addListener(ChannelFutureListener.CLOSE);
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
    if (cause instanceof DecoderException) {
      String text = cause.getCause() != null && cause.getCause().getMessage() != null
          ? cause.getCause().getMessage() : String.valueOf(cause.getMessage());
      if (busy || !queue.isEmpty()) {
        queue.add(new ProtocolError(text)); // after the replies already owed
        drain(ctx);
      } else {
        refuse(ctx, text);
      }
      return;
    }
    exchange.context().logger().debug("{}: connection failed: {}", exchange.name(), Failures.oneLine(cause));
    closing = true;
    ctx.close();
  }
}
