package dev.faultbox.plugin.redis;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A bare RESP client over a real socket: sends one command, returns its reply's exact bytes as text. */
final class RawResp implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  RawResp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(5000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** The reply to {@code args}, byte for byte (ISO-8859-1), "\r\n" included. */
  String call(String... args) throws IOException {
    send(args);
    return read();
  }

  /** Sends {@code args} without waiting for a reply (for a reply that must not come). */
  void send(String... args) throws IOException {
    StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      b.append('$').append(a.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(a).append("\r\n");
    }
    out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private String read() throws IOException {
    String line = line();
    char type = line.charAt(0);
    StringBuilder reply = new StringBuilder(line);
    switch (type) {
      case '$', '=', '!' -> {
        int n = Integer.parseInt(line.substring(1, line.length() - 2));
        if (n >= 0) {
          byte[] body = new byte[n + 2];
          in.readFully(body);
          reply.append(new String(body, StandardCharsets.ISO_8859_1));
        }
      }
      case '*', '~', '>', '%' -> {
        int n = Integer.parseInt(line.substring(1, line.length() - 2));
        for (int i = 0; i < n * (type == '%' ? 2 : 1); i++) {
          reply.append(read());
        }
      }
      default -> { }
    }
    return reply.toString();
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int prev = -1;
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed");
      }
      b.write(c);
      if (prev == '\r' && c == '\n') {
        return b.toString(StandardCharsets.ISO_8859_1);
      }
      prev = c;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
