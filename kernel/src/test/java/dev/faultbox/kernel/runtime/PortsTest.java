package dev.faultbox.kernel.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class PortsTest {
  private static String at(String host, int port) throws Exception {
    return Ports.hostPort(new InetSocketAddress(InetAddress.getByName(host), port));
  }

  @Test
  void addressesAreWrittenAsInAUrl() throws Exception {
    assertThat(at("127.0.0.1", 8090)).isEqualTo("127.0.0.1:8090");
    assertThat(at("::1", 21010)).isEqualTo("[::1]:21010");
    assertThat(at("::", 80)).isEqualTo("[::]:80");
    assertThat(at("fe80:0:0:0:1:0:0:2", 1)).isEqualTo("[fe80::1:0:0:2]:1");
    assertThat(at("2001:db8:0:1:1:1:1:1", 1)).isEqualTo("[2001:db8:0:1:1:1:1:1]:1");
    assertThat(at("2001:db8::1:0:0:1", 1)).isEqualTo("[2001:db8::1:0:0:1]:1");
    assertThat(Ports.hostPort("localhost", 9000)).isEqualTo("localhost:9000");
  }
}
