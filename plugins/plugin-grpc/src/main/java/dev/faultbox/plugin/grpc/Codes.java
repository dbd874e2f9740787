package dev.faultbox.plugin.grpc;

import dev.faultbox.spi.FaultModel;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The canonical gRPC status codes, as specs name them: {@code "UNAVAILABLE"}, {@code "unavailable"} or {@code "14"}. */
final class Codes {

  /** Canonical names, by code (OK..UNAUTHENTICATED). */
  static final List<String> NAMES = names();

  /** {@code error(after = N)} and {@code drop(after = N)}: the server's messages sent first. */
  static final String AFTER = "after";
  /** {@code delay(per_message = True)}: the delay before each server message, not once per call. */
  static final String PER_MESSAGE = "per_message";

  /**
   * Fault rules match on the full method; {@code error()} and {@code response()} take a code
   * 1..16 or its name, INTERNAL when they give none; streams take {@code after=} and {@code per_message=}.
   */
  static final FaultModel FAULT_MODEL = new FaultModel(Map.of("method", FaultModel.Match.GLOB), byName(),
      1, NAMES.size() - 1, Status.Code.INTERNAL.value(), Status.Code.INTERNAL.value())
      .withOptions(Map.of(
          AFTER, new FaultModel.RuleOption(FaultModel.RuleOption.Type.COUNT, Set.of("error", "drop"),
              "end the stream after this many server messages"),
          PER_MESSAGE, new FaultModel.RuleOption(FaultModel.RuleOption.Type.FLAG, Set.of("delay"),
              "delay every server message")));

  private Codes() {}

  /**
   * The code a spec wrote, as a number.
   *
   * @throws IllegalArgumentException for a number out of 0..16, or an unknown name (with a
   *     did-you-mean and the list)
   */
  static int resolve(String code) {
    if (code.matches("-?\\d{1,9}")) {
      int n = Integer.parseInt(code);
      if (n < 0 || n >= NAMES.size()) {
        throw new IllegalArgumentException("gRPC code " + n + " is not in 0.." + (NAMES.size() - 1));
      }
      return n;
    }
    String name = code.toUpperCase(Locale.ROOT);
    int n = NAMES.indexOf(name);
    if (n < 0) {
      String near = Messages.closest(name, NAMES);
      throw new IllegalArgumentException("unknown gRPC code \"" + code + "\""
          + (near != null ? " (did you mean \"" + near + "\"?)" : "") + "; use one of " + String.join(", ", NAMES));
    }
    return n;
  }

  private static List<String> names() {
    List<String> names = new ArrayList<>();
    for (Status.Code c : Status.Code.values()) {
      names.add(c.name());
    }
    return List.copyOf(names);
  }

  private static Map<String, Integer> byName() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int i = 0; i < NAMES.size(); i++) {
      out.put(NAMES.get(i), i);
    }
    return out;
  }
}
