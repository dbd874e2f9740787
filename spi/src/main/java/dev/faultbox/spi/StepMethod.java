package dev.faultbox.spi;

import java.util.List;
import java.util.Map;

/**
 * A call a test makes on an interface, e.g. {@code legacy.main.send(data = "PING")}. Runs on the
 * test's thread and may block; it must bound its own waiting.
 */
public interface StepMethod {

  /** Accepted keyword names; the kernel rejects others with a did-you-mean. */
  List<String> parameters();

  /**
   * @param kwargs the keywords given, as plain Java values (String, Long, Double, Boolean,
   *     byte[], List, Map)
   * @throws StepException for a missing or ill-typed argument, or a failure the protocol reports
   *     by raising; the message is shown with the spec location and fails the test
   */
  StepResult call(Endpoint target, Map<String, Object> kwargs);
}
