package dev.faultbox.plugin.udptcp;

import dev.faultbox.plugin.support.MockExchange;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.DatagramChannel;

/** The whole pipeline of a UDP mock's channel: just the mock handler, datagrams need no framing. */
final class UdpChannelInitializer extends ChannelInitializer<DatagramChannel> {

  static final String MOCK = "mock";

  private final MockExchange<TcpUdpAnswers.Request, byte[]> exchange;

  UdpChannelInitializer(MockExchange<TcpUdpAnswers.Request, byte[]> exchange) {
    this.exchange = exchange;
  }

  @Override
  protected void initChannel(DatagramChannel ch) {
    ch.pipeline().addLast(MOCK, new UdpMockHandler(exchange));
  }
}
