package dev.faultbox.plugin.mongodb;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.exception.MongoServerException;
import dev.faultbox.plugin.support.MockExchange;
import dev.faultbox.spi.FaultDecision;
import dev.faultbox.spi.FaultProbe;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a mongodb mock answers in a {@link MockExchange}: the command goes to the library's backend
 * (or, for the handshake commands it answers as an older server, to {@link Replies}); a fault's
 * error becomes a command error, or a write error for a write refused per document (duplicate
 * key, validation); drop and reset close the connection. One event per command, its op the
 * command's name, with {@code db}, {@code collection}, {@code filter}, {@code n}, {@code error}
 * and {@code code}.
 */
final class MongoAnswers implements MockExchange.Answers<WireRequest, Reply> {

  static final String MATCH_COLLECTION = "collection";
  /** The events' filter is cut there. */
  static final int FILTER_MAX_CHARS = 1024;

  private static final Set<String> HELLOS = Set.of("hello", "isMaster", "ismaster");
  private static final Set<String> WRITES = Set.of("insert", "update", "delete");
  /** Codes a real server reports per document, in writeErrors, not as a failed command. */
  private static final Set<Integer> WRITE_ERROR_CODES = Set.of(11000, 121);

  private final MockDefinition definition;
  private final MongoBackend backend;

  MongoAnswers(MockDefinition definition, MongoBackend backend) {
    this.definition = definition;
    this.backend = backend;
  }

  @Override
  public String mockKind() {
    return "a mongodb mock";
  }

  @Override
  public boolean logsStackTraces() {
    return false;
  }

  @Override
  public FaultProbe probe(WireRequest request) {
    String collection = request.collection();
    return new FaultProbe(request.command(), collection == null ? Map.of() : Map.of(MATCH_COLLECTION, collection));
  }

  @Override
  public Reply fault(WireRequest request, FaultDecision decision) {
    return switch (decision.action()) {
      case ERROR -> {
        int code = decision.status();
        String message = decision.message();
        yield new Reply(WRITES.contains(request.command()) && WRITE_ERROR_CODES.contains(code)
            ? Replies.writeError(code, message) : Replies.error(code, message));
      }
      case RESPOND -> new Reply(responded(decision.message()));
      default -> Reply.DROP;
    };
  }

  /** response(body=...): the reply document itself, in extended JSON. */
  private static Document responded(String body) {
    try {
      return Documents.document(Documents.bson(body));
    } catch (RuntimeException e) {
      return Replies.error(1, "response() body is not a document in extended JSON: " + body);
    }
  }

  @Override
  public MockExchange.Routed<Reply> route(WireRequest request, Map<String, Object> fields) {
    return new MockExchange.Routed.Ready<>(new Reply(run(request)));
  }

  private Document run(WireRequest request) {
    String command = request.command();
    if (HELLOS.contains(command)) {
      return Replies.hello(request, request.connectionId());
    }
    if (request.legacy()) {
      return Replies.error(352, "Unsupported OP_QUERY command: " + command
          + ". The client driver may require an upgrade. For more details see"
          + " https://dochub.mongodb.org/core/legacy-opcode-removal");
    }
    if (command.equals("getParameter")) {
      return Replies.getParameter(request);
    }
    try {
      Document reply = backend.handleCommand(request.channel(), request.database(), command, request.body());
      return reply != null ? reply : Replies.error(1, "no reply to " + command);
    } catch (MongoServerError e) {
      String name = e.getCodeName() != null ? e.getCodeName() : Replies.codeName(e.getCode());
      return Replies.error(e.getCode(), name, e.getMessageWithoutErrorCode());
    } catch (MongoServerException e) {
      return Replies.error(8, "UnknownError", e.getMessageWithoutErrorCode());
    } catch (RuntimeException e) {
      // The library failed on input it did not expect: an error reply, as mongod gives for any failed command.
      return Replies.error(1, "InternalError", command + " failed: " + e);
    }
  }

  @Override
  public Reply respond(WireRequest request, MockResponse response) throws MockExchange.Refusal {
    throw MockExchange.Refusal.kind("a response"); // a mongodb mock has no routes, so no handler asks
  }

  @Override
  public Reply failed(WireRequest request, String error) {
    return new Reply(Replies.error(1, error));
  }

  @Override
  public MockEvent event(WireRequest request, Reply reply, Map<String, Object> fields) {
    fields.put("db", request.database());
    String collection = request.collection();
    if (collection != null) {
      fields.put("collection", collection);
    }
    Document filter = filter(request);
    if (filter != null) {
      fields.put("filter", Documents.json(filter, FILTER_MAX_CHARS));
    }
    if (reply.drop()) {
      return definitionEvent(request, fields);
    }
    Document answer = reply.document();
    Integer n = count(answer);
    if (n != null) {
      fields.put("n", n);
    }
    if (!reply.ok()) {
      fields.putIfAbsent("error", String.valueOf(answer.get("errmsg")));
      if (answer.get("code") instanceof Number code) {
        fields.put("code", code.intValue());
      }
    } else if (answer.get("writeErrors") instanceof List<?> errors && !errors.isEmpty()
        && errors.get(0) instanceof Document first) {
      fields.putIfAbsent("error", String.valueOf(first.get("errmsg")));
      if (first.get("code") instanceof Number code) {
        fields.put("code", code.intValue());
      }
    }
    return definitionEvent(request, fields);
  }

  private MockEvent definitionEvent(WireRequest request, Map<String, Object> fields) {
    return definition.event(request.command(), fields);
  }

  /** The documents a command selects by: find's filter, count's query, the first delete's or update's q. */
  static Document filter(WireRequest request) {
    Document body = request.body();
    Object filter = switch (request.command()) {
      case "find" -> body.get("filter");
      case "count", "distinct", "findAndModify" -> body.get("query");
      case "delete" -> first(body.get("deletes"), "q");
      case "update" -> first(body.get("updates"), "q");
      case "aggregate" -> first(body.get("pipeline"), "$match");
      default -> null;
    };
    return filter instanceof Document d ? d : null;
  }

  private static Object first(Object list, String key) {
    return list instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Document d ? d.get(key) : null;
  }

  /** Documents returned (a cursor's batch, distinct's values) or affected ({@code n}); null when neither applies. */
  static Integer count(Document reply) {
    if (reply.get("cursor") instanceof Document cursor) {
      Object batch = cursor.containsKey("firstBatch") ? cursor.get("firstBatch") : cursor.get("nextBatch");
      if (batch instanceof List<?> l) {
        return l.size();
      }
    }
    if (reply.get("n") instanceof Number n) {
      return n.intValue();
    }
    if (reply.get("values") instanceof List<?> values) {
      return values.size();
    }
    if (reply.get("lastErrorObject") instanceof Document last && last.get("n") instanceof Number n) {
      return n.intValue();
    }
    return null;
  }
}
