package dev.faultbox.kernel.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faultbox.kernel.Specs;
import dev.faultbox.kernel.runner.TestResult;
import dev.faultbox.kernel.runner.TestRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtBuiltinsTest {
  @TempDir Path dir;

  /** Verifies a compact JWS the way an OIDC client would: with the JWK's x alone. */
  static JsonNode verify(String token, JsonNode jwk) throws Exception {
    String[] parts = token.split("\\.");
    assertThat(parts).hasSize(3);
    Base64.Decoder b64 = Base64.getUrlDecoder();
    JsonNode header = Values.json().readTree(b64.decode(parts[0]));
    assertThat(header.get("alg").asText()).isEqualTo("EdDSA");
    assertThat(header.get("typ").asText()).isEqualTo("JWT");
    assertThat(header.get("kid").asText()).isEqualTo(jwk.get("kid").asText());
    byte[] raw = b64.decode(jwk.get("x").asText());
    byte[] spki = HexFormat.of().parseHex("302a300506032b6570032100"); // Ed25519 SubjectPublicKeyInfo prefix
    byte[] encoded = new byte[spki.length + raw.length];
    System.arraycopy(spki, 0, encoded, 0, spki.length);
    System.arraycopy(raw, 0, encoded, spki.length, raw.length);
    PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    Signature s = Signature.getInstance("Ed25519");
    s.initVerify(key);
    s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    assertThat(s.verify(b64.decode(parts[2]))).as("signature verifies against the JWK").isTrue();
    return Values.json().readTree(b64.decode(parts[1]));
  }

  @Test
  void signedTokensVerifyAgainstTheServedJwks() throws Exception {
    Specs specs = new Specs(dir);
    int port = Specs.freePort();
    String source = """
        key = jwt_keypair(kid = "test-1")
        issuer = mock_service("issuer", interface("main", "fake", %d), routes = {
            "jwks": json_response(200, jwt_jwks(key)),
            "default_jwks": json_response(200, mock_jwks()),
            "token": json_response(200, {"t": jwt_sign(key, {"sub": "alice", "n": 1})}),
            "custom": json_response(200, {"t": jwt_sign(key, {"iat": 5, "exp": None}, ttl = "10m")}),
            "short": json_response(200, {"t": sign_jwt({}, ttl = "90s")}),
            "default_token": dynamic(lambda req: json_response(200, {"t": sign_jwt({"sub": req["query"].get("user", "anon")})})),
        })
        def test_fetch():
            t = now()
            assert_true(t > 1700000000 and type(t) == "int", t)
        """.formatted(port);
    try (SpecSession s = specs.load(source)) {
      var routes = s.services().get(0).mocks().get(0).routes();
      JsonNode jwks = Values.json().readTree(((dev.faultbox.spi.MockResponse.Static) routes.get(0).response()).body());
      JsonNode jwk = jwks.get("keys").get(0);
      assertThat(jwk.get("kty").asText()).isEqualTo("OKP");
      assertThat(jwk.get("crv").asText()).isEqualTo("Ed25519");
      assertThat(jwk.get("kid").asText()).isEqualTo("test-1");
      String token = Values.json().readTree(((dev.faultbox.spi.MockResponse.Static) routes.get(2).response()).body())
          .get("t").asText();
      JsonNode claims = verify(token, jwk);
      assertThat(claims.get("sub").asText()).isEqualTo("alice");
      assertThat(claims.get("n").asInt()).isEqualTo(1);
      long now = java.time.Instant.now().getEpochSecond();
      assertThat(claims.get("iat").asLong()).isBetween(now - 60, now);
      assertThat(claims.get("exp").asLong()).isEqualTo(claims.get("iat").asLong() + 3600);
      JsonNode custom = verify(Values.json().readTree(((dev.faultbox.spi.MockResponse.Static) routes.get(3).response()).body())
          .get("t").asText(), jwk);
      assertThat(custom.get("iat").asLong()).isEqualTo(5);
      assertThat(custom.has("exp")).as("exp = None leaves it out").isFalse();

      JsonNode defaultJwk = Values.json().readTree(((dev.faultbox.spi.MockResponse.Static) routes.get(1).response()).body())
          .get("keys").get(0);
      assertThat(defaultJwk.get("kid").asText()).isEqualTo("faultbox-mock-key");
      JsonNode shortLived = verify(Values.json().readTree(((dev.faultbox.spi.MockResponse.Static) routes.get(4).response()).body())
          .get("t").asText(), defaultJwk);
      assertThat(shortLived.get("exp").asLong() - shortLived.get("iat").asLong()).isEqualTo(90);
      var dynamic = (dev.faultbox.spi.MockResponse.Dynamic) routes.get(5).response();
      var answer = (dev.faultbox.spi.MockResponse.Static) dynamic.handler()
          .handle(new dev.faultbox.spi.MockRequest("POST", "/token", Map.of(), Map.of("user", "bob"), new byte[0], Map.of()))
          .toCompletableFuture().get();
      JsonNode defaultClaims = verify(Values.json().readTree(answer.body()).get("t").asText(), defaultJwk);
      assertThat(defaultClaims.get("sub").asText()).isEqualTo("bob");

      TestRunner runner = new TestRunner(s);
      List<TestResult> results = runner.run(runner.select(null), r -> {});
      assertThat(results.get(0).passed()).isTrue();
    }
  }
}
