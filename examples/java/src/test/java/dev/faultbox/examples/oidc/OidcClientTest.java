package dev.faultbox.examples.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.faultbox.junit.FaultboxSpec;
import dev.faultbox.junit.Topology;
import dev.faultbox.junit.WithFault;
import java.util.List;
import org.junit.jupiter.api.Test;

@FaultboxSpec("src/test/resources/oidc.star")
class OidcClientTest {
  Topology deps; // injected: the running mocks

  @Test
  void readsTheSigningKeysThroughDiscovery() throws Exception {
    OidcClient client = new OidcClient(System.getProperty("faultbox.idp.http.url"));
    assertEquals(List.of("2026-a", "2026-b"), client.keyIds());
    assertEquals(1, deps.events().where("service", "idp").where("op", "GET /jwks").count());
  }

  @Test
  @WithFault("jwks_unavailable")
  void aJwksOutageIsReportedAsUnavailable() {
    OidcClient client = new OidcClient(deps.url("idp", "http"));
    OidcClient.Unavailable e = assertThrows(OidcClient.Unavailable.class, client::keyIds);
    assertEquals("GET " + deps.url("idp", "http") + "/jwks: 503", e.getMessage());
    assertEquals(1, deps.events().where("op", "GET /jwks").where("status", 503).count());
  }
}
