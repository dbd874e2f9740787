package dev.faultbox.plugin.kafka;

import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.plugin.support.RequestLoop;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.network.ClientInformation;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestAndSize;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The end of a kafka connection's pipeline: each size-delimited frame is parsed by kafka-clients
 * ({@link RequestHeader#parse}, {@link RequestContext#parseRequest}), served one at a time through
 * the {@link MockExchange} so that responses leave in request order (a long-polling fetch holds
 * those behind it, as on a real broker), and written with {@link RequestContext#buildResponseEnvelopePayload}.
 * A frame that cannot be parsed, or is over the size limit, is recorded as a {@code protocol_error}
 * event and the connection closed, as a broker does; the listener keeps serving.
 */
final class KafkaHandler extends ChannelInboundHandlerAdapter {

  /** socket.request.max.bytes of a real broker. */
  static final int MAX_FRAME = 100 * 1024 * 1024;
  static final int MAX_QUEUED = 64;
  static final String OP_PROTOCOL_ERROR = "protocol_error";
  private static final ListenerName LISTENER = ListenerName.forSecurityProtocol(SecurityProtocol.PLAINTEXT);

  static void pipeline(SocketChannel ch, MockExchange<KafkaRequest, KafkaReply> exchange, Broker broker) {
    ch.pipeline()
        .addLast("frames", new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4))
        .addLast("mock", new KafkaHandler(exchange, broker));
  }

  private final MockExchange<KafkaRequest, KafkaReply> exchange;
  private final Broker broker;
  private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
  private boolean busy;
  private boolean closing;

  KafkaHandler(MockExchange<KafkaRequest, KafkaReply> exchange, Broker broker) {
    this.exchange = exchange;
    this.broker = broker;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ((ByteBuf) msg).release();
      return;
    }
    queue.add((ByteBuf) msg);
    if (queue.size() > MAX_QUEUED) {
      ctx.channel().config().setAutoRead(false);
    }
    drain(ctx);
  }

  private void drain(ChannelHandlerContext ctx) {
    while (!busy && !closing && !queue.isEmpty()) {
      ByteBuf frame = queue.poll();
      KafkaRequest request;
      try {
        request = parse(ctx, frame);
      } catch (RuntimeException e) {
        refuse(ctx, "unreadable request: " + Failures.oneLine(e), frame.readableBytes());
        frame.release();
        return;
      }
      frame.release();
      if (request == null) {
        return;
      }
      busy = true;
      exchange.serve(RequestLoop.of(ctx.channel().eventLoop()), request, outcome -> {
        KafkaReply reply = outcome.emit();
        busy = false;
        send(ctx, request, reply);
        drain(ctx);
      });
    }
    if (!closing && queue.size() < MAX_QUEUED / 2 && !ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  /** The request, or null when it was refused (and the connection is closing). */
  private KafkaRequest parse(ChannelHandlerContext ctx, ByteBuf frame) {
    int size = frame.readableBytes();
    ByteBuffer buffer = ByteBuffer.allocate(size);
    frame.getBytes(frame.readerIndex(), buffer);
    buffer.flip();
    short apiKey = size >= 4 ? buffer.getShort(0) : -1;
    short apiVersion = size >= 4 ? buffer.getShort(2) : -1;
    if (!ApiKeys.hasId(apiKey)) {
      refuse(ctx, "unknown API key " + apiKey, size);
      return null;
    }
    RequestHeader header = RequestHeader.parse(buffer);
    if (!header.isApiVersionSupported() && header.apiKey() != ApiKeys.API_VERSIONS) {
      refuse(ctx, "unsupported version " + apiVersion + " of " + header.apiKey().name, size);
      return null;
    }
    InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
    RequestContext context = new RequestContext(header, ctx.channel().id().asShortText(), remote.getAddress(),
        Optional.of(remote.getPort()), KafkaPrincipal.ANONYMOUS, LISTENER, SecurityProtocol.PLAINTEXT,
        ClientInformation.EMPTY, false);
    RequestAndSize parsed = context.parseRequest(buffer);
    return new KafkaRequest(context, parsed.request, firstTopic(parsed.request), size);
  }

  private String firstTopic(org.apache.kafka.common.requests.AbstractRequest body) {
    if (body instanceof ProduceRequest p) {
      return p.data().topicData().isEmpty() ? null : p.data().topicData().iterator().next().name();
    }
    if (body instanceof FetchRequest f && !f.data().topics().isEmpty()) {
      var t = f.data().topics().get(0);
      if (t.topic() != null && !t.topic().isEmpty()) {
        return t.topic();
      }
      TopicLog topic = broker.topic(t.topicId());
      return topic == null ? null : topic.name;
    }
    return null;
  }

  private void send(ChannelHandlerContext ctx, KafkaRequest request, KafkaReply reply) {
    if (closing) {
      return;
    }
    if (reply instanceof KafkaReply.Answer answer) {
      ByteBuffer payload;
      try {
        payload = request.context.buildResponseEnvelopePayload(answer.response());
      } catch (RuntimeException e) {
        refuse(ctx, "cannot encode the " + request.api().name + " v" + request.version() + " response: " + Failures.oneLine(e), 0);
        return;
      }
      ByteBuf out = ctx.alloc().buffer(4 + payload.remaining());
      out.writeInt(payload.remaining());
      out.writeBytes(payload);
      ctx.writeAndFlush(out);
    } else if (reply instanceof KafkaReply.Close) {
      closing = true;
      releaseQueue();
      ctx.close();
    }
  }

  /** Records input that never became a request, and closes once earlier answers are out. */
  private void refuse(ChannelHandlerContext ctx, String error, int bytes) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("error", error);
    fields.put("bytes", (long) bytes);
    exchange.record(OP_PROTOCOL_ERROR, fields);
    closing = true;
    releaseQueue();
    ctx.close();
  }

  private void releaseQueue() {
    ByteBuf b;
    while ((b = queue.poll()) != null) {
      b.release();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseQueue();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (closing) {
      ctx.close();
      return;
    }
    Throwable why = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (why instanceof TooLongFrameException || cause instanceof DecoderException) {
      refuse(ctx, "bad frame: " + Failures.oneLine(why), 0);
      return;
    }
    exchange.context().logger().debug("{}: connection failed: {}", exchange.name(), Failures.oneLine(cause));
    closing = true;
    ctx.close();
  }
}
