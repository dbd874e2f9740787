package dev.faultbox.plugin.redis;

import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultProbe;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a redis mock answers in a {@link MockExchange}: a request is one {@link Command}, a reply a
 * {@link Reply}; the event's op is the command name in upper case, with {@code key} (the first
 * key, when the command has one), {@code args} (the count of arguments after the name),
 * {@code db}, {@code reply} (the RESP type) and {@code error} (when the reply is an error). A
 * fault's error is sent as {@code -<message>}; drop and reset close the connection.
 */
final class RedisAnswers implements MockExchange.Answers<Command, Reply> {

  static final String MATCH_COMMAND = "command";
  static final String MATCH_KEY = "key";
  static final String DEFAULT_FAULT_MESSAGE = "ERR injected fault";

  private final MockDefinition definition;
  private final Commands commands;

  RedisAnswers(MockDefinition definition, Commands commands) {
    this.definition = definition;
    this.commands = commands;
  }

  @Override
  public String mockKind() {
    return "a redis mock";
  }

  @Override
  public FaultProbe probe(Command request) {
    return new FaultProbe(request.op(),
        Map.of(MATCH_COMMAND, request.op(), MATCH_KEY, request.key() == null ? "" : request.key()));
  }

  @Override
  public Map<String, Object> fields(Command request) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("db", (long) request.session().db); // the database the command ran in, before any SELECT
    return fields;
  }

  @Override
  public Reply fault(Command request, FaultDecision decision) {
    return switch (decision.action()) {
      case ERROR -> Reply.error(Command.binary(
          decision.message().isBlank() ? DEFAULT_FAULT_MESSAGE : oneLine(decision.message())));
      case RESPOND -> Reply.bulk(Command.binary(decision.message()));
      default -> new Reply.Close();
    };
  }

  @Override
  public MockExchange.Routed<Reply> route(Command request, Map<String, Object> fields) {
    Reply reply = commands.execute(request.session(), request.argv());
    if (reply instanceof Reply.Blocked blocked) {
      return new MockExchange.Routed.Later<>(blocked.reply()); // answered when served or timed out
    }
    return new MockExchange.Routed.Ready<>(reply);
  }

  @Override
  public Reply respond(Command request, MockResponse response) throws MockExchange.Refusal {
    throw MockExchange.Refusal.kind(response.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
  }

  @Override
  public Reply failed(Command request, String error) {
    return Reply.error(Command.binary("ERR " + oneLine(error)));
  }

  @Override
  public MockEvent event(Command request, Reply reply, Map<String, Object> fields) {
    if (request.key() != null) {
      fields.put("key", request.key());
    }
    fields.put("args", (long) (request.argv().size() - 1));
    fields.put("reply", reply.type(request.session().resp3));
    String error = Reply.errorText(reply);
    if (error != null) {
      fields.putIfAbsent("error", Command.text(error));
    }
    return definition.event(request.op(), fields);
  }

  /** RESP errors are one line: newlines become spaces, as redis-server does for its own. */
  static String oneLine(String text) {
    return text.replace('\r', ' ').replace('\n', ' ');
  }
}
