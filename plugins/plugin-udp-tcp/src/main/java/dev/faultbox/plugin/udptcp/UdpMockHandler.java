package dev.faultbox.plugin.udptcp;

import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.plugin.support.RequestLoop;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * The end of a UDP mock's pipeline and the only handler that talks to the SPI: serves each
 * datagram through the {@link MockExchange} and sends a non-empty answer back to its source.
 */
final class UdpMockHandler extends SimpleChannelInboundHandler<DatagramPacket> {

  private final MockExchange<TcpUdpAnswers.Request, byte[]> exchange;

  UdpMockHandler(MockExchange<TcpUdpAnswers.Request, byte[]> exchange) {
    this.exchange = exchange;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    byte[] request = ByteBufUtil.getBytes(packet.content());
    InetSocketAddress source = packet.sender();
    String src = source.getAddress().getHostAddress() + ":" + source.getPort();
    exchange.serve(
        RequestLoop.of(ctx.channel().eventLoop()),
        new TcpUdpAnswers.Request(request, Map.of("src", src)),
        outcome -> {
          byte[] bytes = outcome.emit();
          if (bytes.length > 0) {
            ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(bytes), source));
          }
        });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // An unconnected UDP socket survives a failed read or send; keep serving.
  }
}
