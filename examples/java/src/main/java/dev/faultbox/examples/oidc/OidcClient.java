package dev.faultbox.examples.oidc;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of an OIDC relying party that talks to the identity provider: discovery, then the
 * signing keys. An outage of the provider is an {@link Unavailable}, which callers turn into a
 * 503 of their own rather than letting every token fail validation.
 */
public final class OidcClient {
  private static final Pattern JWKS_URI = Pattern.compile("\"jwks_uri\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern KID = Pattern.compile("\"kid\"\\s*:\\s*\"([^\"]+)\"");

  /** The identity provider could not be reached, or answered with an error. */
  public static final class Unavailable extends IOException {
    public Unavailable(String message) {
      super(message);
    }
  }

  private final String issuer;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public OidcClient(String issuer) {
    this.issuer = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
  }

  /** The ids of the provider's signing keys, by way of its discovery document. */
  public List<String> keyIds() throws IOException, InterruptedException {
    Matcher jwks = JWKS_URI.matcher(get(issuer + "/.well-known/openid-configuration"));
    if (!jwks.find()) {
      throw new Unavailable("the discovery document has no jwks_uri");
    }
    List<String> kids = new ArrayList<>();
    Matcher kid = KID.matcher(get(jwks.group(1)));
    while (kid.find()) {
      kids.add(kid.group(1));
    }
    return kids;
  }

  private String get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r;
    try {
      r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Unavailable("GET " + url + ": " + e.getMessage());
    }
    if (r.statusCode() != 200) {
      throw new Unavailable("GET " + url + ": " + r.statusCode());
    }
    return r.body();
  }
}
