package dev.faultbox.plugin.http;

import dev.faultbox.plugin.support.Json;
import dev.faultbox.spi.MockResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** HTTP responses encoded once: a status, a header template and an unreleasable body. */
final class Responses {

  static final String TEXT = "text/plain; charset=utf-8";
  /** Header names as HTTP/1.1 clients usually see them; HTTP/2 lower-cases them on the wire. */
  static final String CONTENT_TYPE = "Content-Type";
  static final String CONTENT_LENGTH = "Content-Length";
  static final String JSON = "application/json";

  /** The built-in answer when nothing matches. */
  static final Encoded NOT_FOUND = text(404, "not found\n");

  private Responses() {}

  /**
   * The constructor a spec builds a non-HTTP response shape with, for messages refusing it: HTTP
   * takes only bytes ({@link MockResponse.Static}) or a handler that answers bytes.
   */
  static String constructor(MockResponse response) {
    return response instanceof MockResponse.Status ? "status_response(...)"
        : response instanceof MockResponse.Structured ? "structured_response(...)"
        : response instanceof MockResponse.Composite c ? c.kind() + "(...)"
        : response.getClass().getSimpleName();
  }

  /** Why {@code response} cannot be sent over HTTP, or null when it can. */
  private static String problem(MockResponse.Static response) {
    int status = response.status();
    if (status != 0 && (status < 200 || status > 999)) {
      return "status " + status + " cannot answer an http request; use 200..999 (0 means 200)";
    }
    for (Map.Entry<String, String> header : response.headers().entrySet()) {
      String name = header.getKey();
      String value = header.getValue();
      if (name == null || !RouteTable.isToken(name)) {
        return "header name \"" + name + "\" is not an HTTP token";
      }
      if (value == null || !validValue(value)) {
        return "header \"" + name + "\" has a value with a line break or control character";
      }
      if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")) {
        return "header \"" + name + "\" is set by the mock from the body; remove it";
      }
    }
    return null;
  }

  private static boolean validValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  /**
   * Encodes a static response: status 0 is 200; the route's headers, then {@code Content-Type}
   * from the response unless a header set one, then {@code Content-Length} (none for 204 and 304,
   * which never carry a body).
   *
   * @throws IllegalArgumentException saying why HTTP cannot send it
   */
  static Encoded encode(MockResponse.Static response) {
    String problem = problem(response);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    int code = response.status() == 0 ? 200 : response.status();
    HttpHeaders headers = new DefaultHttpHeaders();
    for (Map.Entry<String, String> header : response.headers().entrySet()) {
      headers.add(header.getKey(), header.getValue());
    }
    if (!headers.contains(CONTENT_TYPE) && response.contentType().isPresent()) {
      headers.set(CONTENT_TYPE, response.contentType().get());
    }
    byte[] body = response.body();
    if (code == 204 || code == 304) {
      body = new byte[0];
    } else {
      headers.setInt(CONTENT_LENGTH, body.length);
    }
    return new Encoded(HttpResponseStatus.valueOf(code), headers, body);
  }

  /** A plain-text response. */
  static Encoded text(int status, String body) {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(CONTENT_TYPE, TEXT);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    headers.setInt(CONTENT_LENGTH, bytes.length);
    return new Encoded(HttpResponseStatus.valueOf(status), headers, bytes);
  }

  /** A fault's answer: {@code {"error":"<message>"}} as application/json. */
  static Encoded faultJson(int status, String message) {
    int code = status < 200 || status > 999 ? 500 : status;
    String json = Json.write(Map.of("error", message == null ? "" : message));
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(CONTENT_TYPE, JSON);
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    headers.setInt(CONTENT_LENGTH, bytes.length);
    return new Encoded(HttpResponseStatus.valueOf(code), headers, bytes);
  }

  /** A fault's own reply: {@code body} as given, typed as JSON when it looks like JSON. */
  static Encoded faultBody(int status, String body) {
    int code = status < 200 || status > 999 ? 500 : status;
    byte[] bytes = (body == null ? "" : body).getBytes(StandardCharsets.UTF_8);
    String trimmed = body == null ? "" : body.stripLeading();
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(CONTENT_TYPE, trimmed.startsWith("{") || trimmed.startsWith("[") ? JSON : "text/plain; charset=utf-8");
    headers.setInt(CONTENT_LENGTH, bytes.length);
    return new Encoded(HttpResponseStatus.valueOf(code), headers, bytes);
  }

  /** One encoded response; safe to share between event loops. */
  static final class Encoded {
    final HttpResponseStatus status;
    private final HttpHeaders headers;
    private final ByteBuf body;
    final int length;

    Encoded(HttpResponseStatus status, HttpHeaders headers, byte[] body) {
      this.status = status;
      this.headers = headers;
      this.length = body.length;
      this.body = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(body).asReadOnly());
    }

    /** The bytes a reply to a request with {@code head} (a HEAD request) carries. */
    int bodySize(boolean head) {
      return head ? 0 : length;
    }

    /** A fresh response sharing the encoded body; headers are copied so each reply may add its own. */
    FullHttpResponse reply(HttpVersion version, boolean head) {
      ByteBuf content = head || length == 0 ? Unpooled.EMPTY_BUFFER : body.retainedDuplicate();
      FullHttpResponse response = new DefaultFullHttpResponse(version, status, content);
      response.headers().set(headers);
      return response;
    }
  }
}
