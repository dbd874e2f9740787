package dev.faultbox.plugin.redis;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A bare RESP client over a real socket: sends one command, returns its reply's exact bytes as text. */
final class RawResp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawResp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(5000);
    in = new BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** The reply to {@code args}, byte for byte (ISO-8859-1), "\r\n" included. */
  String call(String... args) throws IOException {
    send(args);
    return new String(Resp.read(in), StandardCharsets.ISO_8859_1);
  }

  /** Sends {@code args} without waiting for a reply (for a reply that must not come). */
  void send(String... args) throws IOException {
    out.write(Resp.command(List.of(args)));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
