package dev.faultbox.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts a spec's services for a test class: {@code @FaultboxSpec("src/test/resources/deps.star")}.
 * The event log is cleared before each test; {@link Topology} is injected into fields,
 * constructors and parameters; every interface is a system property
 * {@code faultbox.<service>.<interface>.url|host|port} while the services run. Put it before
 * other extensions (such as Spring's) that read those properties.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(FaultboxExtension.class)
public @interface FaultboxSpec {
  /** The spec: a path relative to the working directory, or a class path resource. */
  String value();

  /** When the services start: once for the class (the default), or afresh for each test. */
  Lifecycle lifecycle() default Lifecycle.PER_CLASS;

  enum Lifecycle { PER_CLASS, PER_METHOD }
}
