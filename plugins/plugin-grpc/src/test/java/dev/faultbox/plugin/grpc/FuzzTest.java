package dev.faultbox.plugin.grpc;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.faultbox.kernel.Logging;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.testkit.RecordingContext;
import dev.faultbox.testkit.reliability.Delivery;
import dev.faultbox.testkit.reliability.Mutations;
import dev.faultbox.testkit.reliability.ProtocolFuzz;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** The reliability suite's fuzzing of gRPC: calls framed by Netty's HTTP/2 writer, mutated. */
class FuzzTest extends ProtocolFuzz {

  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final GrpcContractTest contract = new GrpcContractTest();

  @Override
  protected MockProtocol plugin() {
    return new GrpcProtocol();
  }

  @Override
  protected String protocol() {
    return "grpc";
  }

  /** Logs as the tool does (ToolLogging does it for the Jupiter tests; this is a jqwik one). */
  @Override
  protected RecordingContext newContext() {
    Logging.install();
    return super.newContext();
  }

  @Override
  protected MockDefinition definition(int port) {
    return contract.definition(port);
  }

  /** Frames as a client's connection writes them: SETTINGS, then each call's HEADERS and DATA. */
  private interface Frames {
    void write(DefaultHttp2FrameWriter writer, ChannelHandlerContext ctx);
  }

  private static byte[] connection(Frames frames) {
    EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    ChannelHandlerContext ctx = channel.pipeline().firstContext();
    DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
    frames.write(writer, ctx);
    channel.flush();
    byte[] out = PREFACE;
    for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
      out = Mutations.concat(out, ByteBufUtil.getBytes(b));
      b.release();
    }
    channel.finishAndReleaseAll();
    return out;
  }

  private static byte[] call(String path, byte[] message) {
    return connection((w, ctx) -> {
      w.writeHeaders(ctx, 1, RawH2.request(path), 0, false, ctx.newPromise());
      w.writeData(ctx, 1, Unpooled.wrappedBuffer(message), 0, true, ctx.newPromise());
    });
  }

  private static byte[] struct(String key, String value) {
    byte[] body = Struct.newBuilder().putFields(key, Value.newBuilder().setStringValue(value).build()).build().toByteArray();
    return RawH2.message(0, body.length, body);
  }

  @Override
  protected List<byte[]> validRequests() {
    Http2Headers withMetadata = RawH2.request("/flags.v1.Flags/Get").set("x-user", "fuzz").set("grpc-timeout", "5S");
    return List.of(
        call("/flags.v1.Flags/Get", struct("name", "dark-mode")),
        call("/flags.v1.Flags/Missing", RawH2.message(0, 0, new byte[0])),
        connection((w, ctx) -> {
          w.writeHeaders(ctx, 1, withMetadata, 0, false, ctx.newPromise());
          w.writeData(ctx, 1, Unpooled.wrappedBuffer(struct("a", "b")), 0, true, ctx.newPromise());
          w.writeHeaders(ctx, 3, RawH2.request("/flags.v1.Flags/Get"), 0, true, ctx.newPromise());
        }));
  }

  /** gRPC messages with any flag byte and declared length, and headers without what gRPC needs. */
  @Override
  protected Arbitrary<byte[]> invalidFrames() {
    Arbitrary<Integer> flag = Arbitraries.of(0, 1, 2, 0x80, 0xff);
    Arbitrary<Long> length = Arbitraries.of(0L, 1L, 5L, 0x7fffffffL, 0xffffffffL, 4L * 1024 * 1024 + 1);
    Arbitrary<String> path = Arbitraries.of("/flags.v1.Flags/Get", "", "/", "flags", "/a/b/c", "/%zz/x", "/flags.v1.Flags/");
    Arbitrary<String> encoding = Arbitraries.of("", "gzip", "identity", "snappy");
    return Combinators.combine(flag, length, path, encoding, Arbitraries.bytes().array(byte[].class).ofMaxSize(32))
        .as((f, n, p, e, body) -> connection((w, ctx) -> {
          Http2Headers headers = RawH2.request(p);
          if (!e.isEmpty()) {
            headers.set("grpc-encoding", e);
          }
          w.writeHeaders(ctx, 1, headers, 0, false, ctx.newPromise());
          w.writeData(ctx, 1, Unpooled.wrappedBuffer(RawH2.message(f, n, body)), 0, true, ctx.newPromise());
        }));
  }

  @Override
  protected boolean probe(InetSocketAddress at) throws Exception {
    return contract.exchange(at).ok();
  }

  /** A response HEADERS frame from the mock (a reply or a trailers-only status) means a call it recorded. */
  @Override
  protected boolean expectsEvent(byte[] input, Delivery delivery) {
    byte[] reply = delivery.reply();
    int at = 0;
    while (at + 9 <= reply.length) {
      int length = ((reply[at] & 0xff) << 16) | ((reply[at + 1] & 0xff) << 8) | (reply[at + 2] & 0xff);
      if ((reply[at + 3] & 0xff) == 1) {
        return true;
      }
      at += 9 + length;
    }
    return false;
  }
}
