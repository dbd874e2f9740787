package dev.faultbox.plugin.udptcp;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.DatagramChannel;

/** The whole pipeline of a UDP mock's channel: just the mock handler, datagrams need no framing. */
final class UdpChannelInitializer extends ChannelInitializer<DatagramChannel> {

  static final String MOCK = "mock";

  private final Exchange exchange;

  UdpChannelInitializer(Exchange exchange) {
    this.exchange = exchange;
  }

  @Override
  protected void initChannel(DatagramChannel ch) {
    ch.pipeline().addLast(MOCK, new UdpMockHandler(exchange));
  }
}
