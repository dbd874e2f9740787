package dev.faultbox.plugin.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.faultbox.kernel.tls.TlsAuthority;
import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.StepResult;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** tls=True: the driver connects with tls=true trusting the mock CA file; so do the steps. */
class TlsTest extends MockTestSupport {

  /** One mock CA for the test JVM, as the kernel keeps one per run. */
  static final TlsAuthority CA = TlsAuthority.create();

  @Test
  void theDriverConnectsOverTlsTrustingTheMockCa() throws Exception {
    context.withTls(CA.issue("users-stub"));
    int port = start(users(PAGE_SEED).tls(true).build());
    SSLContext trust = trusting(CA.caFile());
    MongoClient client = client(MongoClients.create(settings(port)
        .applyToSslSettings(b -> b.enabled(true).context(trust)).build()));
    assertThat(client.getDatabase("app").getCollection("users").countDocuments(new Document("role", "admin")))
        .isEqualTo(1);

    X509Certificate ca = CA.certificate();
    StepResult.Response found = (StepResult.Response) factory.steps().get("find").call(
        new Endpoint("users-stub", "main", "mongodb", "127.0.0.1", port, true, Optional.of(ca)),
        Map.of("collection", "users"));
    assertThat(found.ok()).as(found.error()).isTrue();
    assertThat(found.bodyText()).contains("alice", "bob");
  }

  /** What an application does with the CA file it was given: a trust store of that one certificate. */
  private static SSLContext trusting(java.nio.file.Path caFile) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      store.setCertificateEntry("mock-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return ssl;
  }
}
