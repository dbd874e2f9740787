package dev.faultbox.kernel.spec;

import dev.faultbox.spi.InterfaceSpec;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.SourceLocation;
import java.util.List;
import java.util.Optional;

/**
 * A service declared by the spec: a mock (one prepared definition per interface) or a real
 * program, the system under test ({@link ProcessSpec}).
 *
 * @param interfaces every interface, in declaration order
 * @param prepared what each interface's protocol made of its definition, for a mock; empty for a program
 * @param process how to run it, for a program
 * @param container how to run it, for a container
 * @param dependsOn names of services that must be up first
 */
public record ServiceDecl(
    String name,
    List<InterfaceSpec> interfaces,
    List<PreparedMock> prepared,
    Optional<ProcessSpec> process,
    Optional<ContainerSpec> container,
    List<String> dependsOn,
    SourceLocation declaredAt) {

  public ServiceDecl {
    interfaces = List.copyOf(interfaces);
    prepared = List.copyOf(prepared);
    dependsOn = List.copyOf(dependsOn);
  }

  /** A mock service. */
  static ServiceDecl mock(String name, List<PreparedMock> mocks, List<String> dependsOn, SourceLocation at) {
    return new ServiceDecl(name, mocks.stream().map(m -> m.definition().iface()).toList(), mocks, Optional.empty(),
        Optional.empty(), dependsOn, at);
  }

  /** The definitions of a mock's interfaces, in declaration order. */
  public List<MockDefinition> mocks() {
    return prepared.stream().map(PreparedMock::definition).toList();
  }
}
