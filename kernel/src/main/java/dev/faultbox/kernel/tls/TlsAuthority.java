package dev.faultbox.kernel.tls;

import dev.faultbox.spi.TlsIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The run's mock certificate authority: an ECDSA P-256 CA made on first use, and a leaf per TLS
 * mock naming {@code localhost}, the service, {@code 127.0.0.1} and {@code ::1}. Only the CA's
 * certificate is written to disk ({@code ${TMPDIR}/faultbox-ca-<timestamp>.pem}, removed when the
 * JVM exits) so clients can trust it; private keys stay in memory. Thread-safe.
 */
public final class TlsAuthority {
  private static final Duration VALIDITY = Duration.ofDays(7);
  private static final Pattern DNS_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KeyPair caKeys;
  private final X509Certificate ca;
  private final Path caFile;
  private final Map<String, TlsIdentity> leaves = new ConcurrentHashMap<>();
  private Path bundle; // guarded by this

  private TlsAuthority(KeyPair caKeys, X509Certificate ca, Path caFile) {
    this.caKeys = caKeys;
    this.ca = ca;
    this.caFile = caFile;
  }

  /** Makes a CA and writes its certificate to the temporary directory. */
  public static TlsAuthority create() {
    try {
      KeyPair keys = newKeys();
      X500Principal name = new X500Principal("CN=Faultbox Mock CA, O=Faultbox");
      Instant now = Instant.now();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
          Date.from(now.minus(Duration.ofMinutes(1))), Date.from(now.plus(VALIDITY)), name, keys.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      X509Certificate cert = sign(b, keys);
      Path file = Path.of(System.getProperty("java.io.tmpdir"), "faultbox-ca-" + System.currentTimeMillis() + ".pem");
      Files.writeString(file, pem(cert), StandardCharsets.US_ASCII);
      file.toFile().deleteOnExit();
      return new TlsAuthority(keys, cert, file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the mock CA: " + e.getMessage(), e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make the mock CA: " + e.getMessage(), e);
    }
  }

  /** The CA certificate clients must trust. */
  public X509Certificate certificate() {
    return ca;
  }

  /** The PEM file holding the CA certificate. */
  public Path caFile() {
    return caFile;
  }

  /**
   * A PEM bundle of the system's trusted roots plus the mock CA, made once: what
   * {@code SSL_CERT_FILE} points a program at, so it trusts the mocks and the rest of the world.
   */
  public synchronized Path trustBundle() {
    if (bundle == null) {
      try {
        StringBuilder pem = new StringBuilder();
        for (String system : List.of("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem")) {
          Path p = Path.of(system);
          if (Files.isReadable(p)) {
            pem.append(Files.readString(p, StandardCharsets.US_ASCII)).append('\n');
            break;
          }
        }
        pem.append(pem(ca));
        bundle = Files.createTempFile("faultbox-trust-", ".pem");
        Files.writeString(bundle, pem, StandardCharsets.US_ASCII);
        bundle.toFile().deleteOnExit();
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalStateException("cannot write the trust bundle: " + e.getMessage(), e);
      }
    }
    return bundle;
  }

  /** The identity a TLS mock named {@code service} serves with, made once per run. */
  public TlsIdentity issue(String service) {
    return leaves.computeIfAbsent(service, this::newLeaf);
  }

  private TlsIdentity newLeaf(String service) {
    try {
      KeyPair keys = newKeys();
      Instant now = Instant.now();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(),
          Date.from(now.minus(Duration.ofMinutes(1))), Date.from(now.plus(VALIDITY)),
          new X500Principal("CN=" + (DNS_NAME.matcher(service).matches() ? service : "localhost") + ", O=Faultbox Mock"),
          keys.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      List<GeneralName> names = new ArrayList<>();
      names.add(new GeneralName(GeneralName.dNSName, "localhost"));
      if (DNS_NAME.matcher(service).matches() && !service.equals("localhost")) {
        names.add(new GeneralName(GeneralName.dNSName, service));
      }
      names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
      names.add(new GeneralName(GeneralName.iPAddress, InetAddress.getByName("::1").getHostAddress()));
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return new TlsIdentity(keys.getPrivate(), List.of(sign(b, caKeys), ca));
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException | java.net.UnknownHostException e) {
      throw new IllegalStateException("cannot issue a certificate for " + service + ": " + e.getMessage(), e);
    }
  }

  private static KeyPair newKeys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer)
      throws OperatorCreationException, GeneralSecurityException {
    var signerOp = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(b.build(signerOp));
  }

  /** A certificate in PEM form. */
  public static String pem(X509Certificate cert) throws GeneralSecurityException {
    return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
  }
}
