package dev.faultbox.kernel.spec;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.InterfaceSpec;
import dev.faultbox.spi.StepMethod;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.StarlarkInt;
import net.starlark.java.eval.Structure;
import net.starlark.java.spelling.SpellChecker;

/**
 * An interface of a declared service, {@code auth.main}: its addresses, for env wiring, and the
 * protocol's step methods, for tests.
 */
@StarlarkBuiltin(name = "interface_ref")
public final class InterfaceRef implements Structure {
  private static final ImmutableList<String> ADDRESS_FIELDS =
      ImmutableList.of("name", "service", "protocol", "host", "port", "addr", "internal_addr");

  private final String service;
  private final InterfaceSpec spec;
  private final String host;
  private final boolean mock;
  private final Map<String, StepCallable> steps = new TreeMap<>();
  private final FaultModel faultModel;

  /**
   * @param faultModel how the interface's protocol takes fault rules
   * @param mockCa the run's CA when the interface speaks TLS
   */
  InterfaceRef(String service, InterfaceSpec spec, Map<String, StepMethod> methods, FaultModel faultModel,
      String dialHost, String advertisedHost, Optional<X509Certificate> mockCa, boolean mock) {
    this.mock = mock;
    this.faultModel = faultModel;
    this.service = service;
    this.spec = spec;
    this.host = advertisedHost;
    Endpoint target = new Endpoint(service, spec.name(), spec.protocol(), dialHost, spec.port(), mockCa.isPresent(), mockCa);
    methods.forEach((name, m) -> steps.put(name, new StepCallable(name, m, target)));
  }

  /** Whether the interface belongs to a mock (faults act there) rather than a real service. */
  public boolean isMock() {
    return mock;
  }

  /** How the interface's protocol takes fault rules. */
  public FaultModel faultModel() {
    return faultModel;
  }

  public String service() {
    return service;
  }

  public InterfaceSpec spec() {
    return spec;
  }

  Map<String, StepCallable> steps() {
    return steps;
  }

  @Override
  public Object getValue(String name) {
    return switch (name) {
      case "name" -> spec.name();
      case "service" -> service;
      case "protocol" -> spec.protocol();
      case "host" -> host;
      case "port" -> StarlarkInt.of(spec.port());
      case "addr", "internal_addr" -> (host.contains(":") ? "[" + host + "]" : host) + ":" + spec.port();
      default -> steps.get(name);
    };
  }

  @Override
  public ImmutableCollection<String> getFieldNames() {
    return ImmutableList.<String>builder().addAll(ADDRESS_FIELDS).addAll(steps.keySet()).build();
  }

  @Override
  public String getErrorMessageForUnknownField(String field) {
    return String.format("%s.%s (%s) has no field or step '%s'%s; it has %s",
        service, spec.name(), spec.protocol(), field,
        SpellChecker.didYouMean(field, getFieldNames()), String.join(", ", getFieldNames()));
  }

  @Override
  public boolean isImmutable() {
    return true;
  }

  @Override
  public void repr(Printer p) {
    p.append(service).append(".").append(spec.name());
  }
}
