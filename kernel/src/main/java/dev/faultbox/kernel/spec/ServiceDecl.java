package dev.faultbox.kernel.spec;

import dev.faultbox.spi.InterfaceSpec;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.SourceLocation;
import java.util.List;
import java.util.Optional;

/**
 * A service declared by the spec: a mock (one {@link MockDefinition} per interface) or a real
 * program, the system under test ({@link ProcessSpec}).
 *
 * @param interfaces every interface, in declaration order
 * @param mocks the definitions to serve, for a mock; empty for a program
 * @param process how to run it, for a program
 * @param dependsOn names of services that must be up first
 */
public record ServiceDecl(
    String name,
    List<InterfaceSpec> interfaces,
    List<MockDefinition> mocks,
    Optional<ProcessSpec> process,
    List<String> dependsOn,
    SourceLocation declaredAt) {

  public ServiceDecl {
    interfaces = List.copyOf(interfaces);
    mocks = List.copyOf(mocks);
    dependsOn = List.copyOf(dependsOn);
  }

  /** A mock service. */
  static ServiceDecl mock(String name, List<MockDefinition> mocks, List<String> dependsOn, SourceLocation at) {
    return new ServiceDecl(name, mocks.stream().map(MockDefinition::iface).toList(), mocks, Optional.empty(), dependsOn, at);
  }
}
