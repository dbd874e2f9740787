package dev.faultbox.testkit.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * How one fuzz input reached the mock and what came back.
 *
 * @param reply the bytes the mock sent (at most {@link #MAX_REPLY})
 * @param closed whether the mock closed the connection once the client had sent everything (a
 *     stream connection the mock left open past the wait is a hung one); always true for a datagram
 */
public record Delivery(byte[] reply, boolean closed) {

  /** More than this from the mock for one input of {@link Mutations#MAX_INPUT} bytes is a runaway answer. */
  public static final int MAX_REPLY = 4 << 20;

  /**
   * On a new TCP connection: writes {@code input} (a write the mock refused by closing is fine),
   * shuts the sending side so the mock sees the end of input, and reads until the mock closes or
   * {@code wait} passes.
   */
  public static Delivery stream(InetSocketAddress at, byte[] input, Duration wait) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(at, (int) wait.toMillis());
      return overSocket(socket, socket, socket.getInputStream(), input, wait);
    }
  }

  /**
   * As {@link #stream}, inside TLS: the handshake (offering {@code alpn}, none if empty) first,
   * then {@code input} as application data, then the TCP sending side shut, as a client that
   * stops mid-conversation does. A failed handshake is a delivery with no reply, closed.
   */
  public static Delivery tls(InetSocketAddress at, SSLContext ssl, String host, byte[] input, Duration wait,
      String... alpn) throws IOException {
    try (Socket plain = new Socket()) {
      plain.connect(at, (int) wait.toMillis());
      plain.setSoTimeout((int) wait.toMillis());
      SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket(plain, host, at.getPort(), false);
      if (alpn.length > 0) {
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(alpn);
        socket.setSSLParameters(parameters);
      }
      try {
        socket.startHandshake();
      } catch (IOException refused) {
        return new Delivery(new byte[0], true);
      }
      return overSocket(plain, socket, socket.getInputStream(), input, wait);
    }
  }

  private static Delivery overSocket(Socket plain, Socket socket, InputStream in, byte[] input, Duration wait)
      throws IOException {
    plain.setSoTimeout((int) wait.toMillis());
    try {
      socket.getOutputStream().write(input);
      socket.getOutputStream().flush();
      plain.shutdownOutput();
    } catch (IOException closedWhileWriting) {
      // the mock refused mid-way and closed: what it said before is read below
    }
    ByteArrayOutputStream reply = new ByteArrayOutputStream();
    byte[] buffer = new byte[16 * 1024];
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      while (reply.size() <= MAX_REPLY) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return new Delivery(reply.toByteArray(), false);
        }
        plain.setSoTimeout((int) left);
        int n = in.read(buffer);
        if (n < 0) {
          return new Delivery(reply.toByteArray(), true);
        }
        reply.write(buffer, 0, n);
      }
      return new Delivery(reply.toByteArray(), false);
    } catch (SocketTimeoutException hung) {
      return new Delivery(reply.toByteArray(), false);
    } catch (IOException reset) {
      return new Delivery(reply.toByteArray(), true);
    }
  }

  /** One datagram from {@code from}; the mock's answer, if any, is not waited for. */
  public static Delivery datagram(DatagramSocket from, InetSocketAddress at, byte[] input) throws IOException {
    byte[] payload = input.length <= 65_507 ? input : Arrays.copyOf(input, 65_507);
    from.send(new DatagramPacket(payload, payload.length, at));
    return new Delivery(new byte[0], true);
  }
}
