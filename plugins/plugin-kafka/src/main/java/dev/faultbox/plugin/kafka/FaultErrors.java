package dev.faultbox.plugin.kafka;

import dev.faultbox.spi.FaultDecision;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;

/**
 * The Kafka error a fault answers with: {@code status=} as a code or a name
 * ({@code "NOT_LEADER_OR_FOLLOWER"}), else the error whose name starts the message
 * ({@code "REBALANCE_IN_PROGRESS: ..."}) or whose text the message is, else UNKNOWN_SERVER_ERROR.
 * Older names recipes use ({@code NOT_LEADER_FOR_PARTITION}) are understood.
 */
final class FaultErrors {
  private FaultErrors() {}

  static final Map<String, Integer> NAMES;
  private static final Map<String, Errors> BY_TEXT = new HashMap<>();

  static {
    Map<String, Integer> names = new HashMap<>();
    for (Errors e : Errors.values()) {
      if (e != Errors.NONE && e != Errors.UNKNOWN_SERVER_ERROR) {
        names.put(e.name(), (int) e.code());
        if (e.message() != null) {
          BY_TEXT.put(e.message().toLowerCase(Locale.ROOT), e);
        }
      }
    }
    names.put("UNKNOWN_SERVER_ERROR", -1);
    names.put("NOT_LEADER_FOR_PARTITION", (int) Errors.NOT_LEADER_OR_FOLLOWER.code());
    NAMES = Map.copyOf(names);
  }

  static final int MIN_CODE = -1;
  static final int MAX_CODE = maxCode();

  private static int maxCode() {
    int max = 0;
    for (Errors e : Errors.values()) {
      max = Math.max(max, e.code());
    }
    return max;
  }

  static Errors of(FaultDecision decision) {
    if (decision.status() != 0) {
      Errors e = Errors.forCode((short) decision.status());
      return e == Errors.NONE ? Errors.UNKNOWN_SERVER_ERROR : e;
    }
    return ofMessage(decision.message());
  }

  static Errors ofMessage(String message) {
    String m = message == null ? "" : message.trim();
    String head = m.split("[:\\s]", 2)[0].toUpperCase(Locale.ROOT);
    Integer code = NAMES.get(head);
    if (code != null) {
      return Errors.forCode(code.shortValue());
    }
    Errors byText = BY_TEXT.get(m.toLowerCase(Locale.ROOT));
    return byText != null ? byText : Errors.UNKNOWN_SERVER_ERROR;
  }
}
