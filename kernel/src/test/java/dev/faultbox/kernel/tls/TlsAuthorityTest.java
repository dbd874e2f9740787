package dev.faultbox.kernel.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.TlsIdentity;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

class TlsAuthorityTest {
  private static final TlsAuthority CA = TlsAuthority.create();

  @Test
  void caIsAnEcdsaP256AuthorityWrittenAsPem() throws Exception {
    X509Certificate ca = CA.certificate();
    assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(ca.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(ca.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(CA.caFile().getFileName().toString()).matches("faultbox-ca-\\d+\\.pem");
    assertThat(CA.caFile().getParent().toString()).isEqualTo(System.getProperty("java.io.tmpdir"));
    String pem = Files.readString(CA.caFile());
    assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----\n").doesNotContain("PRIVATE");
    try (InputStream in = Files.newInputStream(CA.caFile())) {
      assertThat(CertificateFactory.getInstance("X.509").generateCertificate(in)).isEqualTo(ca);
    }
  }

  @Test
  void leafNamesLocalhostTheServiceAndLoopbackAndChainsToTheCa() throws Exception {
    TlsIdentity id = CA.issue("auth");
    assertThat(CA.issue("auth")).isSameAs(id);
    X509Certificate leaf = id.chain().get(0);
    assertThat(id.authority()).isEqualTo(CA.certificate());
    leaf.verify(CA.certificate().getPublicKey());
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
    assertThat(leaf.getSubjectAlternativeNames()).extracting(n -> n.get(1).toString())
        .contains("localhost", "auth", "127.0.0.1")
        .anyMatch(s -> s.startsWith("0:0:0:0:0:0:0:1"));
  }

  @Test
  void aClientTrustingTheCaCompletesAHandshakeAndOneWithDefaultRootsFails() throws Exception {
    TlsIdentity id = CA.issue("secure-svc");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("leaf", id.key(), new char[0], id.chain().toArray(X509Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext server = SSLContext.getInstance("TLS");
    server.init(kmf.getKeyManagers(), null, null);

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", CA.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext trusting = SSLContext.getInstance("TLS");
    trusting.init(null, tmf.getTrustManagers(), null);

    try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
        .createServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 3; i++) {
          try (SSLSocket s = (SSLSocket) listener.accept()) {
            s.setSoTimeout(5000);
            s.startHandshake();
            s.getOutputStream().write('k');
          } catch (Exception ignored) {
            // the untrusting client aborts its handshake
          }
        }
      });
      for (String host : List.of("localhost", "127.0.0.1")) {
        try (SSLSocket c = (SSLSocket) trusting.getSocketFactory().createSocket(host, listener.getLocalPort())) {
          SSLParameters p = c.getSSLParameters();
          p.setEndpointIdentificationAlgorithm("HTTPS"); // check the name, as HTTPS clients do
          c.setSSLParameters(p);
          c.setSoTimeout(5000);
          c.startHandshake();
          assertThat(c.getInputStream().read()).isEqualTo('k');
        }
        if (host.equals("localhost")) {
          SSLContext defaults = SSLContext.getInstance("TLS");
          defaults.init(null, null, null);
          try (SSLSocket c = (SSLSocket) defaults.getSocketFactory().createSocket("127.0.0.1", listener.getLocalPort())) {
            c.setSoTimeout(5000);
            assertThatThrownBy(c::startHandshake).isInstanceOf(SSLHandshakeException.class);
          }
        }
      }
      serving.get(10, TimeUnit.SECONDS);
    }
  }

}
