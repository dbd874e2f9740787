package dev.faultbox.plugin.redis;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.testkit.ProtocolContract;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The plugin contract for the redis protocol, spoken in raw RESP. */
class ContractTest extends ProtocolContract {

  @Override
  protected MockProtocol plugin() {
    return new RedisProtocol();
  }

  @Override
  protected String protocol() {
    return "redis";
  }

  @Override
  protected MockDefinition definition(int port) {
    return mock("cache", "redis", port).config("state", Map.of("greeting", "hello")).build();
  }

  @Override
  protected MockDefinition invalidDefinition(int port) {
    return mock("cache", "redis", port).config("max_lines", 1L).build();
  }

  @Override
  protected Reply exchange(InetSocketAddress at) throws IOException {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(3000);
      s.getOutputStream().write("*2\r\n$3\r\nGET\r\n$8\r\ngreeting\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      byte[] expected = "$5\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
      byte[] got = in.readNBytes(expected.length);
      String reply = new String(got, StandardCharsets.US_ASCII);
      return reply.equals("$5\r\nhello\r\n") ? Reply.answered(reply) : Reply.failed(reply);
    } catch (IOException e) {
      return Reply.failed(e.toString());
    }
  }

  @Override
  protected void sendMalformed(InetSocketAddress at) throws IOException {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(3000);
      s.getOutputStream().write("*abc\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getInputStream().readAllBytes();
    } catch (IOException e) {
      // refused by closing: that is an answer too
    }
  }
}
