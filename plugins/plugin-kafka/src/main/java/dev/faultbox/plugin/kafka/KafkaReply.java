package dev.faultbox.plugin.kafka;

import org.apache.kafka.common.requests.AbstractResponse;

/** What a request is answered with. */
sealed interface KafkaReply {
  /** A response, serialised at the request's version when written. */
  record Answer(AbstractResponse response, String error) implements KafkaReply {
    Answer(AbstractResponse response) {
      this(response, null);
    }
  }

  /** No reply at all: a produce with acks=0. */
  record Silent() implements KafkaReply {}

  /** Close the connection without answering: the drop fault, or input that cannot be answered. */
  record Close(String why) implements KafkaReply {}
}
