package dev.faultbox.plugin.udptcp;

import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.StepArgs;
import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.StepException;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.spi.StepResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code send(data, timeout_ms = 5000)} on a tcp interface: connect, write {@code data} (with a
 * trailing {@code \n} added when missing), read the reply up to its first {@code \n} or end of
 * stream and return it as a str without the line ending. One deadline bounds connect and read.
 */
final class TcpSendStep implements StepMethod {

  static final long DEFAULT_TIMEOUT_MS = 5000;
  /** The longest reply line read; more is cut off rather than buffered without bound. */
  static final int MAX_REPLY_BYTES = 16 * 1024 * 1024;

  @Override
  public List<String> parameters() {
    return List.of("data", "timeout_ms");
  }

  @Override
  public StepResult call(Endpoint target, Map<String, Object> kwargs) {
    StepArgs args = StepArgs.of("send", kwargs);
    byte[] data = args.data("data");
    long timeoutMs = args.timeoutMs(DEFAULT_TIMEOUT_MS);
    if (data.length == 0 || data[data.length - 1] != '\n') {
      data = Arrays.copyOf(data, data.length + 1);
      data[data.length - 1] = '\n';
    }
    String where = target.host() + ":" + target.port();
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(target.host(), target.port()), (int) timeoutMs);
      OutputStream out = socket.getOutputStream();
      out.write(data);
      out.flush();
      return new StepResult.Value(readLine(socket, deadline));
    } catch (ConnectException e) {
      throw failed(where, "connection refused");
    } catch (SocketTimeoutException e) {
      throw failed(where, "no reply within " + timeoutMs + "ms");
    } catch (UnknownHostException e) {
      throw failed(where, "unknown host " + target.host());
    } catch (IOException e) {
      throw failed(where, Failures.messageOf(e));
    }
  }

  private static String readLine(Socket socket, long deadline) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    while (line.size() < MAX_REPLY_BYTES) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new SocketTimeoutException();
      }
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
      int n = in.read(buffer, 0, Math.min(buffer.length, MAX_REPLY_BYTES - line.size()));
      if (n < 0) {
        break;
      }
      int newline = indexOf(buffer, n, (byte) '\n');
      if (newline >= 0) {
        line.write(buffer, 0, newline);
        break;
      }
      line.write(buffer, 0, n);
    }
    byte[] bytes = line.toByteArray();
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    return new String(bytes, 0, length, StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] buffer, int length, byte b) {
    for (int i = 0; i < length; i++) {
      if (buffer[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static StepException failed(String where, String why) {
    return new StepException("tcp send to " + where + " failed: " + why);
  }
}
