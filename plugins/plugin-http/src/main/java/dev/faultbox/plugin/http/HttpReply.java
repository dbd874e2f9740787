package dev.faultbox.plugin.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.ReferenceCountUtil;

/**
 * What an HTTP mock answers a request with.
 *
 * @param response the response to write; null to drop: close the connection (or, with
 *     {@code resetOnly}, the stream) without answering
 * @param resetOnly drop(stream = True): on HTTP/2 reset just the stream; HTTP/1.1 has none, so it closes
 */
record HttpReply(FullHttpResponse response, boolean resetOnly) {

  HttpReply(FullHttpResponse response) {
    this(response, false);
  }

  /** No answer: the connection, or only the stream, goes. */
  static HttpReply dropped(boolean resetOnly) {
    return new HttpReply(null, resetOnly);
  }

  boolean drop() {
    return response == null;
  }

  int status() {
    return response == null ? 0 : response.status().code();
  }

  int bodySize() {
    return response == null ? 0 : response.content().readableBytes();
  }

  /** Releases the response when it will never be written. */
  void discard() {
    if (response != null) {
      ReferenceCountUtil.release(response);
    }
  }
}
