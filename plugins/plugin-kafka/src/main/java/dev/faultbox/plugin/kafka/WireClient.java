package dev.faultbox.plugin.kafka;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A blocking, one-connection Kafka client for the steps: each call sends one request built by
 * kafka-clients at the highest version both sides know and reads its response. Not thread-safe.
 */
final class WireClient implements AutoCloseable {

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private int correlation;

  WireClient(String host, int port, int timeoutMs) throws IOException {
    socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), timeoutMs);
      socket.setSoTimeout(timeoutMs);
      socket.setTcpNoDelay(true);
      in = new DataInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  void readTimeout(int ms) throws IOException {
    socket.setSoTimeout(Math.max(1, ms));
  }

  @SuppressWarnings("unchecked")
  <R extends AbstractResponse> R send(AbstractRequest.Builder<?> builder) throws IOException {
    ApiKeys api = builder.apiKey();
    ApiTable.Range range = ApiTable.of(api);
    short version = (short) Math.min(range == null ? builder.latestAllowedVersion() : range.max(), builder.latestAllowedVersion());
    AbstractRequest request = builder.build(version);
    RequestHeader header = new RequestHeader(api, version, "faultbox-step", ++correlation);
    ByteBuffer bytes = request.serializeWithHeader(header);
    byte[] frame = new byte[4 + bytes.remaining()];
    ByteBuffer.wrap(frame).putInt(bytes.remaining()).put(bytes);
    out.write(frame);
    out.flush();
    int size = in.readInt();
    if (size < 0 || size > KafkaHandler.MAX_FRAME) {
      throw new IOException("response of " + size + " bytes");
    }
    byte[] body = new byte[size];
    in.readFully(body);
    return (R) AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
