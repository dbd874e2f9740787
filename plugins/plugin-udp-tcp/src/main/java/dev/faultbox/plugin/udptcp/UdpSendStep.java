package dev.faultbox.plugin.udptcp;

import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.StepArgs;
import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.StepException;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.spi.StepResult;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code send(data, timeout_ms = 5000)} and {@code send_no_reply(data)} on a udp interface: one
 * datagram out and, for {@code send}, one reply datagram in from the target, as a response.
 * Network failures are answered with {@code ok = False}; bad arguments raise.
 */
final class UdpSendStep implements StepMethod {

  private final boolean awaitReply;

  UdpSendStep(boolean awaitReply) {
    this.awaitReply = awaitReply;
  }

  @Override
  public List<String> parameters() {
    return awaitReply ? List.of("data", "timeout_ms") : List.of("data");
  }

  @Override
  public StepResult call(Endpoint target, Map<String, Object> kwargs) {
    String step = awaitReply ? "send" : "send_no_reply";
    StepArgs args = StepArgs.of(step, kwargs);
    byte[] data = args.data("data");
    long timeoutMs = awaitReply ? args.timeoutMs(TcpSendStep.DEFAULT_TIMEOUT_MS) : TcpSendStep.DEFAULT_TIMEOUT_MS;
    if (data.length > UdpServer.MAX_DATAGRAM) {
      throw new StepException(
          step + "() data= is " + data.length + " bytes; a datagram holds at most "
              + UdpServer.MAX_DATAGRAM);
    }
    String where = target.host() + ":" + target.port();
    long started = System.nanoTime();
    try {
      InetSocketAddress to = new InetSocketAddress(target.host(), target.port());
      if (to.isUnresolved()) {
        return failed("udp send to " + where + " failed: unknown host " + target.host(), started);
      }
      // Stay on loopback when the target is there; otherwise let the OS pick the interface.
      InetSocketAddress from =
          to.getAddress().isLoopbackAddress()
              ? new InetSocketAddress(to.getAddress(), 0)
              : new InetSocketAddress((InetAddress) null, 0);
      try (DatagramSocket socket = new DatagramSocket(from)) {
        // Connected, so only the target's replies are received.
        socket.connect(to);
        socket.send(new DatagramPacket(data, data.length));
        if (!awaitReply) {
          return new StepResult.Response(true, 0, new byte[0], Map.of(), "", elapsedMs(started));
        }
        socket.setSoTimeout((int) timeoutMs);
        byte[] buffer = new byte[UdpServer.MAX_DATAGRAM + 1];
        DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
        socket.receive(reply);
        byte[] body = Arrays.copyOfRange(buffer, reply.getOffset(), reply.getOffset() + reply.getLength());
        return new StepResult.Response(true, 0, body, Map.of(), "", elapsedMs(started));
      }
    } catch (SocketTimeoutException e) {
      return failed("no reply within " + timeoutMs + "ms", started);
    } catch (PortUnreachableException e) {
      return failed("udp send to " + where + " failed: port unreachable", started);
    } catch (IOException | IllegalArgumentException e) {
      return failed("udp send to " + where + " failed: " + Failures.messageOf(e), started);
    }
  }

  private static StepResult.Response failed(String error, long started) {
    return StepResult.Response.failed(error, elapsedMs(started));
  }

  private static long elapsedMs(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }
}
