package dev.faultbox.plugin.grpc;

import dev.faultbox.spi.DynamicHandler;
import java.util.List;

/** A route's answer, prepared when the spec loads: everything static is encoded already. */
sealed interface PreparedReply {

  /** An encoded message, sent as is. */
  record Fixed(byte[] bytes) implements PreparedReply {}

  /** A status, with its rich error details encoded (null for none); code 0 answers an empty message with OK. */
  record Status(int code, String message, ErrorDetails.Encoded details) implements PreparedReply {}

  /** A reply computed per call. */
  record Dynamic(DynamicHandler handler) implements PreparedReply {}

  /**
   * Server messages in order ({@code grpc.stream}), each encoded already: each client message
   * releases the next, the client's half-close releases the rest, {@code intervalMillis} apart.
   *
   * @param then the status after the last message; null for OK
   */
  record Stream(List<byte[]> messages, long intervalMillis, Status then) implements PreparedReply {
    public Stream {
      messages = List.copyOf(messages);
    }
  }

  /** One reply computed from every client message at the client's half-close ({@code grpc.collect}). */
  record Collect(DynamicHandler handler) implements PreparedReply {}

  /**
   * A handler asked per client message from the first one on, whatever the client does next
   * ({@code grpc_dynamic(fn, streaming = True)}): an untyped mock's bidi.
   */
  record PerMessage(DynamicHandler handler) implements PreparedReply {}

  /** A glob route's message that does not fit this method's output type: INTERNAL when called. */
  record Broken(String detail) implements PreparedReply {}
}
