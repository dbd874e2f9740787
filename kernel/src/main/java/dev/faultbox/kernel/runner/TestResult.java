package dev.faultbox.kernel.runner;

import dev.faultbox.kernel.event.Event;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one test.
 *
 * @param reason why it failed, empty when it passed
 * @param failure what kind of failure it was, {@link Failure#NONE} when it passed
 * @param location {@code file:line:col} of the failure, empty when unknown or passed
 * @param traceback the Starlark call stack of the failure, empty when none
 * @param events what the mocks recorded during the test
 * @param output the last lines the service programs printed, for a failed test
 * @param assertions how many assertions it evaluated
 * @param steps each interface its steps reached, and whether a step on it succeeded
 * @param warnings what makes a pass doubtful, such as no assertions
 */
public record TestResult(
    String name,
    boolean passed,
    long durationMs,
    String reason,
    Failure failure,
    String location,
    String traceback,
    List<Event> events,
    List<String> output,
    int assertions,
    Map<String, Boolean> steps,
    List<Warning> warnings) {

  /** How a test failed: a check that did not hold, the run's time limit, or anything else going wrong. */
  public enum Failure { NONE, ASSERTION, TIMEOUT, ERROR }
}
