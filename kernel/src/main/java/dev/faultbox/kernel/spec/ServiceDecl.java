package dev.faultbox.kernel.spec;

import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.SourceLocation;
import java.util.List;

/**
 * A service declared by the spec: for now a mock, one {@link MockDefinition} per interface.
 *
 * @param dependsOn names of services that must be up first
 */
public record ServiceDecl(
    String name, List<MockDefinition> interfaces, List<String> dependsOn, SourceLocation declaredAt) {}
