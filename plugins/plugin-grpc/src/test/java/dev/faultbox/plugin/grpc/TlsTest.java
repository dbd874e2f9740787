package dev.faultbox.plugin.grpc;

import static dev.faultbox.plugin.grpc.TestSupport.GEO;
import static dev.faultbox.plugin.grpc.TestSupport.inSpecDir;
import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.plugin.grpc.test.geo.City;
import dev.faultbox.plugin.grpc.test.geo.GeoConfigServiceGrpc;
import dev.faultbox.plugin.grpc.test.geo.GetCityRequest;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.TlsIdentity;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** TLS with the kernel's mock CA: trusted clients get through, others fail the handshake. */
class TlsTest {

  private final TestSupport.Resources resources = new TestSupport.Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private MockServer tlsMock(TlsIdentity identity) throws Exception {
    return resources.server(inSpecDir(mock("geo-config", "grpc", 0)
        .config("descriptors", "all_upstreams.pb")
        .tls(true)
        .route(GEO + "GetCity", new MockResponse.Structured(Map.of("name", "Secure")))
        .build()), new RecordingContext().withTls(identity));
  }

  private ManagedChannel channel(MockServer server, SslContext ssl, String authority) {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.address().getPort())
        .sslContext(ssl)
        .overrideAuthority(authority)
        .proxyDetector(a -> null)
        .build();
    resources.add(() -> {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    });
    return channel;
  }

  @Test
  void clientTrustingTheCaSucceeds() throws Exception {
    TlsIdentity identity = TestSupport.CA.issue("geo-config");
    MockServer server = tlsMock(identity);
    SslContext ssl = GrpcSslContexts.forClient().trustManager(identity.authority()).build();
    for (String authority : new String[] {"geo-config", "localhost"}) {
      City city = GeoConfigServiceGrpc.newBlockingStub(channel(server, ssl, authority))
          .withDeadlineAfter(10, TimeUnit.SECONDS).getCity(GetCityRequest.getDefaultInstance());
      assertThat(city.getName()).isEqualTo("Secure");
    }
  }

  @Test
  void aNativeTlsCallsConnectionCarriesItsTlsSecurity() throws Exception {
    TlsIdentity identity = TestSupport.CA.issue("geo-config");
    MockServer server = tlsMock(identity);
    SslContext ssl = GrpcSslContexts.forClient().trustManager(identity.authority()).build();
    GeoConfigServiceGrpc.newBlockingStub(channel(server, ssl, "geo-config"))
        .withDeadlineAfter(10, TimeUnit.SECONDS).getCity(GetCityRequest.getDefaultInstance());
    // The security grpc-java's transport was told of (channelz), which is what set the call's
    // ATTR_SECURITY_LEVEL and TRANSPORT_ATTR_SSL_SESSION too: lost when TLS ran ahead of the negotiator.
    io.grpc.InternalChannelz channelz = io.grpc.InternalChannelz.instance();
    java.util.List<io.grpc.InternalChannelz.Security> found = new java.util.ArrayList<>();
    for (io.grpc.InternalInstrumented<io.grpc.InternalChannelz.ServerStats> s : channelz.getServers(0, 1000).servers) {
      io.grpc.InternalChannelz.ServerStats stats = s.getStats().get(10, TimeUnit.SECONDS);
      for (io.grpc.InternalWithLogId socket : stats.listenSockets) {
        if (!socket.toString().contains(":" + server.address().getPort())) {
          continue;
        }
        io.grpc.InternalChannelz.ServerSocketsList sockets = channelz.getServerSockets(s.getLogId().getId(), 0, 100);
        for (io.grpc.InternalWithLogId open : sockets.sockets) {
          io.grpc.InternalChannelz.SocketStats socketStats =
              ((io.grpc.InternalInstrumented<io.grpc.InternalChannelz.SocketStats>) open).getStats().get(10, TimeUnit.SECONDS);
          if (socketStats.security != null) {
            found.add(socketStats.security);
          }
        }
      }
    }
    assertThat(found).isNotEmpty().allSatisfy(security -> assertThat(security.tls).isNotNull());
  }

  @Test
  void clientNotTrustingTheCaFails() throws Exception {
    MockServer server = tlsMock(TestSupport.CA.issue("geo-config"));
    SslContext ssl = GrpcSslContexts.forClient().build(); // system roots only
    assertThatThrownBy(() -> GeoConfigServiceGrpc.newBlockingStub(channel(server, ssl, "geo-config"))
            .withDeadlineAfter(10, TimeUnit.SECONDS).getCity(GetCityRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    // A plaintext client cannot talk to it either.
    assertThatThrownBy(() -> GeoConfigServiceGrpc.newBlockingStub(resources.channel(server))
            .withDeadlineAfter(10, TimeUnit.SECONDS).getCity(GetCityRequest.getDefaultInstance()))
        .isInstanceOf(StatusRuntimeException.class);
  }
}
