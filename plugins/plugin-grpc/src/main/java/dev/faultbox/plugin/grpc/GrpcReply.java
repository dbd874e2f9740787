package dev.faultbox.plugin.grpc;

import io.grpc.Status;

/**
 * What a grpc mock answers a call with, and the op its event is recorded under.
 *
 * @param op {@code ok}, {@code error} or {@code unmatched}
 * @param code the status the call closes with
 * @param message the status message; null for OK, whose event has none
 * @param body the reply message for OK; empty otherwise
 * @param details rich error details for the {@code grpc-status-details-bin}
 *     trailer; null for none
 */
record GrpcReply(String op, Status.Code code, String message, byte[] body, ErrorDetails.Encoded details) {

  private static final byte[] NONE = new byte[0];

  static GrpcReply ok(byte[] body) {
    return new GrpcReply(Dispatcher.OP_OK, Status.Code.OK, null, body, null);
  }

  /** A status; a code grpc does not know is UNKNOWN. */
  static GrpcReply status(String op, int code, String message) {
    return status(op, code, message, null);
  }

  /** A status with rich error details ({@link ErrorDetails}); null details for none. */
  static GrpcReply status(String op, int code, String message, ErrorDetails.Encoded details) {
    return new GrpcReply(op, Status.fromCodeValue(code).getCode(), message, NONE, details);
  }

  boolean isOk() {
    return code == Status.Code.OK;
  }
}
