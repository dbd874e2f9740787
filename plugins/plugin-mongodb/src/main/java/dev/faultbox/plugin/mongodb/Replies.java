package dev.faultbox.plugin.mongodb;

import de.bwaldvogel.mongo.bson.Document;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Reply documents the wrapper writes itself: errors, in mongod's shape, and the handshake
 * commands the library answers as an older server would ({@code hello}, {@code isMaster},
 * {@code getParameter}).
 */
final class Replies {
  private Replies() {}

  static final int MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
  static final int MAX_WRITE_BATCH_SIZE = 100_000;
  static final int SESSION_TIMEOUT_MINUTES = 30;

  /** Error codes and their names, as mongod 6.0 gives them; fault rules take either. */
  static final Map<String, Integer> CODES = Map.ofEntries(
      Map.entry("InternalError", 1),
      Map.entry("BadValue", 2),
      Map.entry("HostUnreachable", 6),
      Map.entry("HostNotFound", 7),
      Map.entry("UnknownError", 8),
      Map.entry("FailedToParse", 9),
      Map.entry("Unauthorized", 13),
      Map.entry("TypeMismatch", 14),
      Map.entry("AuthenticationFailed", 18),
      Map.entry("InvalidBSON", 22),
      Map.entry("LockTimeout", 24),
      Map.entry("NamespaceNotFound", 26),
      Map.entry("CursorNotFound", 43),
      Map.entry("MaxTimeMSExpired", 50),
      Map.entry("CommandNotFound", 59),
      Map.entry("InvalidOptions", 72),
      Map.entry("NetworkTimeout", 89),
      Map.entry("ShutdownInProgress", 91),
      Map.entry("OperationFailed", 96),
      Map.entry("WriteConflict", 112),
      Map.entry("DocumentValidationFailure", 121),
      Map.entry("PrimarySteppedDown", 189),
      Map.entry("NoSuchTransaction", 251),
      Map.entry("ExceededTimeLimit", 262),
      Map.entry("UnsupportedOpQueryCommand", 352),
      Map.entry("DuplicateKey", 11000),
      Map.entry("InterruptedAtShutdown", 11600),
      Map.entry("Interrupted", 11601),
      Map.entry("InterruptedDueToReplStateChange", 11602),
      Map.entry("NotPrimaryNoSecondaryOk", 13435),
      Map.entry("NotPrimaryOrSecondary", 13436),
      Map.entry("OutOfDiskSpace", 14031),
      Map.entry("NotWritablePrimary", 10107));

  private static final Map<Integer, String> NAMES = names();

  private static Map<Integer, String> names() {
    Map<Integer, String> names = new java.util.HashMap<>();
    CODES.forEach((name, code) -> names.put(code, name));
    return Map.copyOf(names);
  }

  /** The name mongod gives {@code code}: a known one, else {@code Location<code>}, as mongod names the rest. */
  static String codeName(int code) {
    return NAMES.getOrDefault(code, "Location" + code);
  }

  /** A failed command's reply: {@code {ok: 0, errmsg, code, codeName}}. */
  static Document error(int code, String codeName, String message) {
    Document reply = new Document("ok", 0.0);
    reply.put("errmsg", message);
    reply.put("code", code);
    reply.put("codeName", codeName);
    return reply;
  }

  static Document error(int code, String message) {
    return error(code, codeName(code), message);
  }

  /**
   * A write that failed at its first document ({@code n} 0, one write error at index 0), which
   * drivers raise as a write exception (the Java driver's MongoWriteException).
   */
  static Document writeError(int code, String message) {
    Document error = new Document("index", 0);
    error.put("code", code);
    error.put("codeName", codeName(code));
    error.put("errmsg", message);
    Document reply = new Document("n", 0);
    reply.put("writeErrors", List.of(error));
    reply.put("ok", 1.0);
    return reply;
  }

  /**
   * hello, or the legacy isMaster: a writable standalone of wire version 17 with sessions. No
   * topologyVersion, so drivers poll rather than stream their monitoring hellos.
   */
  static Document hello(WireRequest request, long connectionId) {
    Document reply = new Document();
    if (request.command().equals("hello")) {
      reply.put("isWritablePrimary", true);
    } else {
      if (Boolean.TRUE.equals(request.body().get("helloOk"))) {
        reply.put("helloOk", true);
      }
      reply.put("ismaster", true);
    }
    reply.put("maxBsonObjectSize", MAX_BSON_OBJECT_SIZE);
    reply.put("maxMessageSizeBytes", WireDecoder.MAX_MESSAGE_BYTES);
    reply.put("maxWriteBatchSize", MAX_WRITE_BATCH_SIZE);
    reply.put("localTime", Instant.now());
    reply.put("logicalSessionTimeoutMinutes", SESSION_TIMEOUT_MINUTES);
    reply.put("connectionId", (int) connectionId);
    reply.put("minWireVersion", 0);
    reply.put("maxWireVersion", Server60.WIRE_VERSION);
    reply.put("readOnly", false);
    reply.put("ok", 1.0);
    return reply;
  }

  /** getParameter: featureCompatibilityVersion (what drivers and tools ask), or all with {@code "*"}. */
  static Document getParameter(WireRequest request) {
    Document reply = new Document();
    boolean all = "*".equals(request.body().get("getParameter"))
        || request.body().get("getParameter") instanceof Document d && Boolean.TRUE.equals(d.get("allParameters"));
    if (all || request.body().containsKey("featureCompatibilityVersion")) {
      reply.put("featureCompatibilityVersion", new Document("version", "6.0"));
    }
    if (all || request.body().containsKey("authenticationMechanisms")) {
      reply.put("authenticationMechanisms", List.of("SCRAM-SHA-1", "SCRAM-SHA-256"));
    }
    if (reply.isEmpty()) {
      return error(72, "no option found to get");
    }
    reply.put("ok", 1.0);
    return reply;
  }
}
