package dev.faultbox.plugin.mongodb;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;

/** A wire client of a few lines, for what drivers never send: hand-built OP_MSG and raw bytes. */
final class RawWire implements AutoCloseable {

  private final Socket socket;
  private final DataInputStream in;
  private int requestId;

  RawWire(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 3000);
    socket.setSoTimeout(3000);
    in = new DataInputStream(socket.getInputStream());
  }

  /** An OP_MSG with {@code json} as its body section. */
  static byte[] opMsg(int requestId, String json) {
    return message(requestId, 2013, concat(new byte[] {0, 0, 0, 0, 0}, bson(json)));
  }

  static byte[] bson(String json) {
    RawBsonDocument raw = RawBsonDocument.parse(json);
    byte[] bytes = new byte[raw.getByteBuffer().remaining()];
    raw.getByteBuffer().asNIO().get(bytes);
    return bytes;
  }

  /** A message: the 16-byte header, then {@code payload}. */
  static byte[] message(int requestId, int opCode, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(16 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(16 + payload.length).putInt(requestId).putInt(0).putInt(opCode).put(payload);
    return b.array();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  void send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  /** Sends {@code json} as a command and returns the reply's document. */
  BsonDocument command(String json) throws IOException {
    send(opMsg(++requestId, json));
    return reply();
  }

  /** The next reply's document (OP_MSG's body, OP_REPLY's first document). */
  BsonDocument reply() throws IOException {
    byte[] header = new byte[16];
    in.readFully(header);
    ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    int length = h.getInt();
    h.getInt();
    h.getInt();
    int opCode = h.getInt();
    byte[] rest = new byte[length - 16];
    in.readFully(rest);
    int skip = opCode == 2013 ? 5 : 20; // flags + kind; OP_REPLY: flags, cursorId, startingFrom, numberReturned
    byte[] doc = new byte[rest.length - skip];
    System.arraycopy(rest, skip, doc, 0, doc.length);
    return new RawBsonDocument(doc);
  }

  /** Whether the server closed the connection within the socket timeout (true), or sent something. */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  /** Nothing arrives within {@code ms}: the server answered nothing and kept the connection. */
  boolean silentFor(int ms) throws IOException {
    socket.setSoTimeout(ms);
    try {
      in.read(); // a byte, or the end: either way not silent
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    } finally {
      socket.setSoTimeout(3000);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
