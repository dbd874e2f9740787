package dev.faultbox.plugin.mongodb;

import de.bwaldvogel.mongo.bson.Document;

/**
 * Input that never became a command: recorded as a {@code bad_message} event, answered as mongod
 * answers it.
 *
 * @param error what was wrong, as the event's {@code error}
 * @param requestId the request to answer, when {@code reply} is set
 * @param opCode the header's opCode, 0 when the header itself was wrong
 * @param reply the error document to answer with (as OP_MSG), or null for none
 * @param close whether the connection must close: the stream cannot be framed any more
 */
record BadInput(String error, int requestId, int opCode, Document reply, boolean close) {

  /** A header whose length cannot be a message: mongod closes the connection. */
  static BadInput unframed(int length) {
    return new BadInput("recv(): message msgLen " + length + " is invalid. Min " + WireDecoder.HEADER_BYTES
        + " Max: " + WireDecoder.MAX_MESSAGE_BYTES, 0, 0, null, true);
  }

  /** An opCode mongod 6.0 does not serve: it logs it and answers nothing, and the connection stays. */
  static BadInput unsupported(int requestId, int opCode) {
    return new BadInput("Operation is not supported: opCode " + opCode, requestId, opCode, null, false);
  }

  /** A framed message whose content does not parse: answered with the error, the connection stays. */
  static BadInput invalid(int requestId, int opCode, int code, String codeName, String message) {
    return new BadInput(message, requestId, opCode, Replies.error(code, codeName, message), false);
  }
}
