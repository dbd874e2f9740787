package dev.faultbox.plugin.udptcp;

import static dev.faultbox.testkit.MockDefinitionBuilder.body;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.testkit.ProtocolContract;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;

/** The plugin contract, for each of its protocols. */
class ContractTest {

  @Nested
  class Tcp extends ProtocolContract {
    @Override
    protected MockProtocol plugin() {
      return new UdpTcpProtocol();
    }

    @Override
    protected String protocol() {
      return "tcp";
    }

    @Override
    protected MockDefinition definition(int port) {
      return mock("legacy", "tcp", port).route("PING", body("PONG\n")).config("max_line_bytes", 64L).build();
    }

    @Override
    protected MockDefinition invalidDefinition(int port) {
      return mock("legacy", "tcp", port).config("max_lines", 1L).build();
    }

    @Override
    protected Reply exchange(InetSocketAddress at) throws IOException {
      try (Socket s = new Socket(at.getAddress(), at.getPort())) {
        s.setSoTimeout(3000);
        s.getOutputStream().write("PING\n".getBytes(StandardCharsets.UTF_8));
        String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return reply.equals("PONG\n") ? Reply.answered(reply) : Reply.failed(reply);
      } catch (IOException e) {
        return Reply.failed(e.toString());
      }
    }

    @Override
    protected void sendMalformed(InetSocketAddress at) throws IOException {
      try (Socket s = new Socket(at.getAddress(), at.getPort())) {
        s.setSoTimeout(3000);
        s.getOutputStream().write("x".repeat(500).getBytes(StandardCharsets.UTF_8)); // over max_line_bytes
        InputStream in = s.getInputStream();
        in.readAllBytes();
      } catch (IOException e) {
        // refused by closing: that is an answer too
      }
    }
  }

  @Nested
  class Udp extends ProtocolContract {
    @Override
    protected MockProtocol plugin() {
      return new UdpTcpProtocol();
    }

    @Override
    protected String protocol() {
      return "udp";
    }

    @Override
    protected MockDefinition definition(int port) {
      return mock("beacon", "udp", port).route("PING", body("PONG")).build();
    }

    @Override
    protected MockDefinition invalidDefinition(int port) {
      return mock("beacon", "udp", port).config("max_line_bytes", 64L).build();
    }

    @Override
    protected Reply exchange(InetSocketAddress at) throws IOException {
      try (DatagramSocket s = new DatagramSocket()) {
        s.setSoTimeout(2000);
        byte[] ping = "PING".getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(ping, ping.length, at));
        DatagramPacket in = new DatagramPacket(new byte[1024], 1024);
        s.receive(in);
        String reply = new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
        return reply.equals("PONG") ? Reply.answered(reply) : Reply.failed(reply);
      } catch (SocketTimeoutException e) {
        return Reply.failed("no reply");
      }
    }

    @Override
    protected void sendMalformed(InetSocketAddress at) throws IOException {
      try (DatagramSocket s = new DatagramSocket()) {
        s.send(new DatagramPacket(new byte[0], 0, at)); // a datagram has no syntax: an empty one is the odd case
      }
    }
  }
}
