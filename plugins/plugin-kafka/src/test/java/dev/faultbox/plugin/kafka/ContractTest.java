package dev.faultbox.plugin.kafka;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.testkit.ProtocolContract;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;

/** The plugin contract for the kafka protocol, spoken with kafka-clients' request classes. */
class ContractTest extends ProtocolContract {

  @Override
  protected MockProtocol plugin() {
    return new KafkaProtocol();
  }

  @Override
  protected String protocol() {
    return "kafka";
  }

  @Override
  protected MockDefinition definition(int port) {
    return mock("bus", "kafka", port).config("topics", Map.of("orders", List.of())).build();
  }

  @Override
  protected MockDefinition invalidDefinition(int port) {
    return mock("bus", "kafka", port).config("max_lines", 1L).build();
  }

  @Override
  protected Reply exchange(InetSocketAddress at) throws IOException {
    try (WireClient client = new WireClient(at.getHostString(), at.getPort(), 3000)) {
      MetadataResponse r = client.send(MetadataRequest.Builder.forTopicNames(List.of("orders"), false));
      var topic = r.data().topics().iterator().next();
      return "orders".equals(topic.name()) && topic.errorCode() == 0 ? Reply.answered(topic.name())
          : Reply.failed(topic.name() + " error " + topic.errorCode());
    } catch (IOException e) {
      return Reply.failed(e.toString());
    }
  }

  @Override
  protected void sendMalformed(InetSocketAddress at) throws IOException {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(3000);
      s.getOutputStream().write(new byte[] {0, 0, 0, 4, 0x7f, 0x7f, 0, 0});
      InputStream in = s.getInputStream();
      in.readAllBytes();
    } catch (IOException e) {
      // refused by closing: that is an answer too
    }
  }
}
