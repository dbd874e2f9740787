package dev.faultbox.kernel.spec;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.starlark.java.annot.Param;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.annot.StarlarkMethod;
import net.starlark.java.eval.Dict;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkInt;
import net.starlark.java.eval.StarlarkThread;
import net.starlark.java.eval.StarlarkValue;

/**
 * A small EdDSA (Ed25519) JWT issuer for mocking OIDC providers: tokens a real verifier accepts
 * against the JWKS served next to them. Keys live only for the run.
 */
public final class JwtBuiltins {
  static final JwtBuiltins INSTANCE = new JwtBuiltins();
  static final String DEFAULT_KID = "faultbox-mock-key";

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private JwtBuiltins() {}

  /** An Ed25519 key pair with its key id. */
  @StarlarkBuiltin(name = "jwt_keypair")
  public static final class KeyPairValue implements StarlarkValue {
    final String kid;
    final KeyPair keys;

    KeyPairValue(String kid) {
      this.kid = kid;
      try {
        this.keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JDK cannot make Ed25519 keys", e);
      }
    }

    /** The public key as a JWK: {@code {"kty":"OKP","crv":"Ed25519","alg":"EdDSA","use":"sig","kid","x"}}. */
    Map<String, Object> jwk() {
      byte[] spki = keys.getPublic().getEncoded(); // X.509 SubjectPublicKeyInfo: the raw key is its last 32 bytes
      byte[] raw = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
      Map<String, Object> jwk = new LinkedHashMap<>();
      jwk.put("kty", "OKP");
      jwk.put("crv", "Ed25519");
      jwk.put("alg", "EdDSA");
      jwk.put("use", "sig");
      jwk.put("kid", kid);
      jwk.put("x", B64.encodeToString(raw));
      return jwk;
    }

    String sign(Map<String, Object> claims) throws EvalException {
      Map<String, Object> header = new LinkedHashMap<>();
      header.put("alg", "EdDSA");
      header.put("kid", kid);
      header.put("typ", "JWT");
      try {
        String input = B64.encodeToString(Values.json().writeValueAsBytes(header)) + "."
            + B64.encodeToString(Values.json().writeValueAsBytes(claims));
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(keys.getPrivate());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + B64.encodeToString(s.sign());
      } catch (GeneralSecurityException | com.fasterxml.jackson.core.JsonProcessingException e) {
        throw Starlark.errorf("cannot sign the token: %s", e.getMessage());
      }
    }

    @Override
    public boolean isImmutable() {
      return true;
    }

    @Override
    public void repr(Printer p) {
      p.append("jwt_keypair(kid = ").repr(kid).append(")");
    }
  }

  @StarlarkMethod(
      name = "jwt_keypair",
      doc = "A fresh Ed25519 signing key for this run.",
      parameters = {@Param(name = "kid", named = true, defaultValue = "'" + DEFAULT_KID + "'")})
  public KeyPairValue keypair(String kid) {
    return new KeyPairValue(kid);
  }

  @StarlarkMethod(
      name = "jwt_sign",
      doc = "A compact EdDSA JWT of claims, signed with keypair; iat is now and exp now + ttl unless claims set them.",
      parameters = {
        @Param(name = "keypair", named = true),
        @Param(name = "claims", named = true, defaultValue = "{}"),
        @Param(name = "ttl", named = true, defaultValue = "'" + DEFAULT_TTL + "'"),
      })
  public String sign(KeyPairValue keypair, Dict<?, ?> claims, Object ttl) throws EvalException {
    return keypair.sign(claims(claims, ttl, "jwt_sign() ttl"));
  }

  @StarlarkMethod(
      name = "jwt_jwks",
      doc = "The JWKS document ({\"keys\": [...]}) that verifies keypair's tokens.",
      parameters = {@Param(name = "keypair", named = true)})
  public Dict<String, Object> jwks(KeyPairValue keypair) {
    return jwksOf(keypair);
  }

  @StarlarkMethod(
      name = "sign_jwt",
      doc = "A JWT of claims signed with the run's default key (serve mock_jwks() to verify it); "
          + "iat is now and exp now + ttl unless claims set them.",
      parameters = {
        @Param(name = "claims", named = true, defaultValue = "{}"),
        @Param(name = "ttl", named = true, defaultValue = "'" + DEFAULT_TTL + "'"),
      },
      useStarlarkThread = true)
  public String signJwt(Dict<?, ?> claims, Object ttl, StarlarkThread thread) throws EvalException {
    return SpecSession.of(thread).defaultJwtKey().sign(claims(claims, ttl, "sign_jwt() ttl"));
  }

  @StarlarkMethod(name = "now", doc = "The current time in whole seconds since the Unix epoch, as JWT claims count it.")
  public StarlarkInt now() {
    return StarlarkInt.of(java.time.Instant.now().getEpochSecond());
  }

  @StarlarkMethod(
      name = "mock_jwks",
      doc = "The JWKS of the run's default key, which verifies sign_jwt() tokens.",
      useStarlarkThread = true)
  public Dict<String, Object> mockJwks(StarlarkThread thread) {
    return jwksOf(SpecSession.of(thread).defaultJwtKey());
  }

  /** How long a token lives when the claims give no exp. */
  static final String DEFAULT_TTL = "1h";

  /**
   * The claims as given, after iat (now) and exp (now + ttl) unless the claims set them: a token
   * verifiers accept. A claim set to None is left out ({@code {"exp": None}} for no expiry).
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> claims(Dict<?, ?> claims, Object ttl, String what) throws EvalException {
    long lifetime = Durations.parse(ttl, what).toSeconds();
    long iat = java.time.Instant.now().getEpochSecond();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("iat", iat);
    out.put("exp", iat + lifetime);
    out.putAll((Map<String, Object>) Values.toJava(claims, "JWT claims"));
    out.values().removeIf(java.util.Objects::isNull);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Dict<String, Object> jwksOf(KeyPairValue k) {
    return (Dict<String, Object>) Values.toStarlark(Map.of("keys", List.of(k.jwk())), null);
  }
}
