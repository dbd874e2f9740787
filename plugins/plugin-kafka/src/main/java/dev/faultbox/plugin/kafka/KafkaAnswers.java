package dev.faultbox.plugin.kafka;

import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultGate;
import dev.faultbox.spi.FaultProbe;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;

/**
 * How a kafka mock answers in a {@link MockExchange}: one event per request, its op the API's
 * name as Kafka spells it ({@code Produce}, {@code Metadata}), with {@code api_version},
 * {@code client_id}, {@code topic} (the first one named) and {@code error} (the first error in
 * the answer). Data events ({@code produce}, {@code fetch}, {@code commit}...) come from the broker.
 * A fault's error answers the request with that Kafka error on every partition; drop and reset
 * close the connection; duplicate appends a produce's records twice.
 */
final class KafkaAnswers implements MockExchange.Answers<KafkaRequest, KafkaReply> {

  static final String MATCH_TOPIC = "topic";

  private final MockDefinition definition;
  private final Apis apis;
  /** The decision just taken for the request being served on this thread: serve() reads it right after. */
  private final ThreadLocal<FaultDecision> lastDecision = new ThreadLocal<>();

  KafkaAnswers(MockDefinition definition, Apis apis) {
    this.definition = definition;
    this.apis = apis;
  }

  /** The context's gate (asked anew each time), noting each decision so a DUPLICATE reaches the produce. */
  FaultGate noting(java.util.function.Supplier<FaultGate> gate) {
    return probe -> {
      FaultDecision d = gate.get().decide(probe);
      lastDecision.set(d);
      return d;
    };
  }

  @Override
  public String mockKind() {
    return "a kafka mock";
  }

  @Override
  public boolean logsStackTraces() {
    return false;
  }

  @Override
  public FaultProbe probe(KafkaRequest request) {
    return new FaultProbe(request.api().name,
        request.faultable() && request.topic != null ? Map.of(MATCH_TOPIC, request.topic) : Map.of());
  }

  @Override
  public Map<String, Object> fields(KafkaRequest request) {
    FaultDecision d = lastDecision.get();
    lastDecision.remove();
    request.duplicate = d != null && d.action() == FaultDecision.Action.DUPLICATE;
    return new LinkedHashMap<>();
  }

  @Override
  public KafkaReply fault(KafkaRequest request, FaultDecision decision) {
    return switch (decision.action()) {
      case ERROR, RESPOND -> {
        Errors error = FaultErrors.of(decision);
        String message = decision.message().isBlank() ? error.message() : decision.message();
        yield new KafkaReply.Answer(request.body.getErrorResponse(error.exception(message)), error.name());
      }
      default -> new KafkaReply.Close("fault");
    };
  }

  @Override
  public MockExchange.Routed<KafkaReply> route(KafkaRequest request, Map<String, Object> fields) {
    return apis.handle(request);
  }

  @Override
  public KafkaReply respond(KafkaRequest request, MockResponse response) throws MockExchange.Refusal {
    throw MockExchange.Refusal.kind(response.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
  }

  @Override
  public KafkaReply failed(KafkaRequest request, String error) {
    return new KafkaReply.Close(error);
  }

  @Override
  public MockEvent event(KafkaRequest request, KafkaReply reply, Map<String, Object> fields) {
    fields.put("api_version", (long) request.version());
    fields.put("client_id", request.context.clientId() == null ? "" : request.context.clientId());
    if (request.topic != null) {
      fields.put("topic", request.topic);
    }
    if (reply instanceof KafkaReply.Answer answer) {
      String error = answer.error() != null ? answer.error() : firstError(answer);
      if (error != null) {
        fields.putIfAbsent("error", error);
      }
    } else if (reply instanceof KafkaReply.Close close && !"fault".equals(close.why())) {
      fields.putIfAbsent("error", close.why());
    }
    return definition.event(request.api().name, fields);
  }

  private static String firstError(KafkaReply.Answer answer) {
    for (Map.Entry<Errors, Integer> e : answer.response().errorCounts().entrySet()) {
      if (e.getKey() != Errors.NONE && e.getValue() > 0) {
        return e.getKey().name();
      }
    }
    return null;
  }
}
