package dev.faultbox.kernel.runtime;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.spec.ServiceDecl;
import dev.faultbox.kernel.spec.SpecSession;
import dev.faultbox.spi.EventSink;
import dev.faultbox.spi.FaultGate;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.TlsIdentity;
import java.net.BindException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a spec's mocks in dependency order and stops them, releasing every port. Used once per
 * test by the runner, and once for the whole of {@code faultbox run}.
 */
public final class MockRuntime implements AutoCloseable {

  /** A running interface, for listing endpoints. */
  public record Running(MockDefinition definition, MockServer server) {}

  private final SpecSession session;
  private final EventSink events;
  private final List<Running> running = new ArrayList<>();

  /** @param events where the mocks record what they handle */
  public MockRuntime(SpecSession session, EventSink events) {
    this.session = session;
    this.events = events;
  }

  /**
   * Starts every mock. On failure, stops what did start and throws an error that names the
   * service, the interface and, for a taken port, the port.
   */
  public void start() throws SpecException {
    for (ServiceDecl service : session.startOrder()) {
      for (MockDefinition def : service.interfaces()) {
        MockProtocol plugin = session.plugins().find(def.iface().protocol()).orElseThrow();
        try {
          running.add(new Running(def, plugin.start(def, context(def))));
        } catch (Exception e) {
          close();
          throw failure(def, e);
        }
      }
    }
  }

  private SpecException failure(MockDefinition def, Exception e) {
    String what = "mock \"" + def.service() + "\" interface \"" + def.iface().name() + "\"";
    String where = session.options().bindAddress().getHostAddress() + ":" + def.iface().port();
    if (causedBy(e, BindException.class)) {
      return new SpecException(def.declaredAt().toString(),
          what + ": port " + def.iface().port() + " (" + def.iface().protocol() + " on " + where
              + ") is already in use; stop what holds it or pick another port");
    }
    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new SpecException(def.declaredAt().toString(), what + " failed to start on " + where + ": " + reason);
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private MockContext context(MockDefinition def) {
    InetAddress bind = session.options().bindAddress();
    Optional<TlsIdentity> tls = def.tls() ? Optional.of(session.tls().issue(def.service())) : Optional.empty();
    FaultGate faults = session.faults().gate(def.service(), def.iface().name());
    Logger logger = LoggerFactory.getLogger("faultbox.mock." + def.service() + "." + def.iface().name());
    return new MockContext() {
      @Override
      public EventSink events() {
        return events;
      }

      @Override
      public FaultGate faults() {
        return faults;
      }

      @Override
      public InetAddress bindAddress() {
        return bind;
      }

      @Override
      public Logger logger() {
        return logger;
      }

      @Override
      public Optional<TlsIdentity> tls() {
        return tls;
      }
    };
  }

  /** The interfaces now serving, in start order. */
  public List<Running> running() {
    return List.copyOf(running);
  }

  /** Stops every mock, last started first. Idempotent. */
  @Override
  public void close() {
    for (int i = running.size() - 1; i >= 0; i--) {
      try {
        running.get(i).server().close();
      } catch (RuntimeException e) {
        LoggerFactory.getLogger(MockRuntime.class).warn("stopping {}: {}", running.get(i).definition().service(), e.toString());
      }
    }
    running.clear();
  }
}
