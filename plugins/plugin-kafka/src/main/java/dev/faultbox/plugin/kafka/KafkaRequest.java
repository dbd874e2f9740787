package dev.faultbox.plugin.kafka;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestContext;

/**
 * One parsed request of a connection: its context (header, client) and body as kafka-clients
 * parsed them, and the first topic it names, for fault rules. {@code duplicate} is set when a
 * fault asks for its records to be appended twice.
 */
final class KafkaRequest {
  final RequestContext context;
  final AbstractRequest body;
  final String topic;
  final int size;
  boolean duplicate;

  KafkaRequest(RequestContext context, AbstractRequest body, String topic, int size) {
    this.context = context;
    this.body = body;
    this.topic = topic;
    this.size = size;
  }

  ApiKeys api() {
    return context.header.apiKey();
  }

  short version() {
    return context.apiVersion();
  }

  /** Whether fault rules apply: to the data path only (Produce and Fetch), as rules name topics. */
  boolean faultable() {
    return api() == ApiKeys.PRODUCE || api() == ApiKeys.FETCH;
  }
}
