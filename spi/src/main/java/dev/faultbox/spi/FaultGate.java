package dev.faultbox.spi;

/**
 * Asks the kernel whether a fault rule applies to a request. Faults act inside the mock, so the
 * system under test sees them, not only test steps. Thread-safe and non-blocking.
 */
public interface FaultGate {
  FaultDecision decide(FaultProbe probe);

  /** A gate that never faults. */
  FaultGate PASS_THROUGH = probe -> FaultDecision.PASS;
}
