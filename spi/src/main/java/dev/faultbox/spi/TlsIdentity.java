package dev.faultbox.spi;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a TLS mock presents: its private key and certificate chain, leaf first, then the run's
 * mock CA. The leaf names {@code localhost}, the service, {@code 127.0.0.1} and {@code ::1}.
 */
public record TlsIdentity(PrivateKey key, List<X509Certificate> chain) {
  public TlsIdentity {
    chain = List.copyOf(chain);
  }

  /** The run's mock CA, which clients must trust. */
  public X509Certificate authority() {
    return chain.get(chain.size() - 1);
  }
}
