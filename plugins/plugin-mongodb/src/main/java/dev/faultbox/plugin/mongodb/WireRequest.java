package dev.faultbox.plugin.mongodb;

import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

/**
 * One command as it came off the wire.
 *
 * @param requestId the header's requestID, which the reply answers
 * @param legacy whether it came as OP_QUERY (the drivers' first hello), answered with OP_REPLY
 * @param moreToCome whether the client wants no reply (OP_MSG moreToCome: unacknowledged writes)
 * @param database the command's database ({@code $db}, or the OP_QUERY namespace's)
 * @param command the command's name: the first key of its document
 * @param body the command document, document sequences folded in as arrays
 * @param channel the connection, which the backend keys its per-connection state by
 * @param connectionId the connection's number, as hello reports it
 */
record WireRequest(int requestId, boolean legacy, boolean moreToCome, String database, String command, Document body,
    Channel channel, int connectionId) {

  /** The collection the command names: its first value when a string, or getMore's {@code collection}. */
  String collection() {
    Object first = body.get(command);
    if (first instanceof String name) {
      return name;
    }
    Object collection = body.get("collection");
    return "getMore".equals(command) && collection instanceof String name ? name : null;
  }
}
