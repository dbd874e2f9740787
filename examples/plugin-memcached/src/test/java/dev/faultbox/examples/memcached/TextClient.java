package dev.faultbox.examples.memcached;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A raw text-protocol client for tests: bytes as ISO-8859-1 strings, reads bounded by 5 s. */
final class TextClient implements AutoCloseable {
  private final Socket socket = new Socket();
  private final InputStream in;

  TextClient(InetSocketAddress at) throws IOException {
    socket.connect(at, 5000);
    socket.setSoTimeout(5000);
    in = socket.getInputStream();
  }

  void send(String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /** One reply line, with its {@code \r\n}. */
  String readLine() throws IOException {
    return readUntil("\n");
  }

  /** Everything up to and including {@code end}. */
  String readUntil(String end) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    while (!got.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("closed after \"" + got.toString(StandardCharsets.ISO_8859_1) + "\"");
      }
      got.write(b);
    }
    return got.toString(StandardCharsets.ISO_8859_1);
  }

  /** Sends a command and reads its one-line reply. */
  String call(String command) throws IOException {
    send(command);
    return readLine();
  }

  /** Whether the mock closed the connection (end of stream within 5 s). */
  boolean closedByPeer() throws IOException {
    return in.read() < 0;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
