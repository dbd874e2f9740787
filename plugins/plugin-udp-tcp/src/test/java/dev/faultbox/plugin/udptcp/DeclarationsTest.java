package dev.faultbox.plugin.udptcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.tuple;

import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.ProtocolFactory.Transport;
import dev.faultbox.spi.StarlarkLibrary;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the plugin declares to the kernel: protocols, their fault model, and its Starlark files. */
class DeclarationsTest {

  private final UdpTcpProtocol plugin = new UdpTcpProtocol();

  @Test
  void factoriesDeclareTransportTlsAndFaultModel() {
    FaultModel expected =
        new FaultModel(
            Map.of("op", FaultModel.Match.GLOB, "prefix", FaultModel.Match.PREFIX), Map.of(), 100, 999, 500, 200);
    assertThat(plugin.protocols())
        .extracting(ProtocolFactory::name, ProtocolFactory::transport, ProtocolFactory::supportsTls)
        .containsExactly(
            tuple("tcp", Transport.STREAM, false),
            tuple("udp", Transport.DATAGRAM, false));
    assertThat(plugin.protocols()).extracting(ProtocolFactory::faultModel).containsOnly(expected);
  }

  @Test
  void librariesShipTheRecipesAndTheStatsdMock() {
    assertThat(plugin.libraries())
        .extracting(StarlarkLibrary::path)
        .containsExactlyInAnyOrder("recipes/tcp.star", "recipes/udp.star", "mocks/statsd.star");
    assertThat(plugin.libraries()).noneMatch(StarlarkLibrary::prelude);
    assertThat(plugin.libraries())
        .filteredOn(lib -> lib.path().equals("recipes/tcp.star"))
        .singleElement()
        .satisfies(lib -> assertThat(lib.source()).contains("tcp_faults = struct(", "tcp = tcp_faults"));
    assertThat(plugin.libraries())
        .filteredOn(lib -> lib.path().equals("recipes/udp.star"))
        .singleElement()
        .satisfies(lib -> assertThat(lib.source()).contains("udp_faults = struct(", "udp = udp_faults"));
    assertThat(plugin.libraries())
        .filteredOn(lib -> lib.path().equals("mocks/statsd.star"))
        .singleElement()
        .satisfies(lib -> assertThat(lib.source()).contains("statsd = struct("));
    // Read once, not per call.
    assertThat(new UdpTcpProtocol().libraries()).isSameAs(plugin.libraries());
  }

  @Test
  void closeIsIdempotent() {
    assertThatCode(
            () -> {
              plugin.close();
              plugin.close();
            })
        .doesNotThrowAnyException();
  }
}
