package dev.faultbox.kernel.spec;

import java.time.Duration;

/** A test that carries its own time limit, such as a fault_scenario's {@code timeout=}. */
public interface TimedTest {
  Duration timeout();
}
