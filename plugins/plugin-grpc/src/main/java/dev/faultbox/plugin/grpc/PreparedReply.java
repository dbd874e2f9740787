package dev.faultbox.plugin.grpc;

import dev.faultbox.spi.DynamicHandler;

/** A route's answer, prepared when the spec loads: everything static is encoded already. */
sealed interface PreparedReply {

  /** An encoded message, sent as is. */
  record Fixed(byte[] bytes) implements PreparedReply {}

  /** A status, with its rich error details encoded (null for none); code 0 answers an empty message with OK. */
  record Status(int code, String message, byte[] details) implements PreparedReply {}

  /** A reply computed per call. */
  record Dynamic(DynamicHandler handler) implements PreparedReply {}

  /** A glob route's message that does not fit this method's output type: INTERNAL when called. */
  record Broken(String detail) implements PreparedReply {}
}
