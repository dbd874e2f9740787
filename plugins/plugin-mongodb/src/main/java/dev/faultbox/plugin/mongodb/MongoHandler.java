package dev.faultbox.plugin.mongodb;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.wire.message.MessageHeader;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import de.bwaldvogel.mongo.wire.message.MongoReply;
import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.plugin.support.RequestLoop;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The last handler of a connection, in the place of the library's own database handler: serves
 * each command through the {@link MockExchange} (fault gate, backend, event before the reply),
 * writes the reply as the library's message types for its encoders, records bad input, and lets
 * the backend forget the connection when it closes.
 */
final class MongoHandler extends SimpleChannelInboundHandler<Object> {

  private final MockExchange<WireRequest, Reply> exchange;
  private final MongoBackend backend;
  private final AtomicInteger replyIds;
  private RequestLoop loop;

  MongoHandler(MockExchange<WireRequest, Reply> exchange, MongoBackend backend, AtomicInteger replyIds) {
    this.exchange = exchange;
    this.backend = backend;
    this.replyIds = replyIds;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    loop = RequestLoop.of(ctx.channel().eventLoop());
    super.channelActive(ctx);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Object message) {
    if (message instanceof WireRequest request) {
      exchange.serve(loop, request, outcome -> {
        Reply reply = outcome.emit();
        if (reply.drop()) {
          ctx.close();
        } else if (!request.moreToCome() && ctx.channel().isActive()) {
          ctx.writeAndFlush(encodable(request, reply));
        }
      });
    } else if (message instanceof BadInput bad) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("error", bad.error());
      if (bad.opCode() != 0) {
        fields.put("opcode", bad.opCode());
      }
      if (bad.reply() != null) {
        fields.put("code", bad.reply().get("code"));
      }
      exchange.record("bad_message", fields);
      if (bad.reply() != null) {
        ctx.writeAndFlush(new MongoMessage(ctx.channel(), header(bad.requestId()), bad.reply()));
      }
      if (bad.close()) {
        ctx.close();
      }
    }
  }

  private Object encodable(WireRequest request, Reply reply) {
    MessageHeader header = header(request.requestId());
    return request.legacy() ? new MongoReply(header, reply.document())
        : new MongoMessage(request.channel(), header, reply.document());
  }

  private MessageHeader header(int responseTo) {
    return new MessageHeader(replyIds.incrementAndGet(), responseTo);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    backend.handleClose(ctx.channel()); // its cursors and last errors go with it
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset by the peer, a failed TLS handshake: nothing to answer; the connection ends here.
    exchange.context().logger().debug("{}: connection closed: {}", exchange.name(), cause.toString());
    ctx.close();
  }
}
