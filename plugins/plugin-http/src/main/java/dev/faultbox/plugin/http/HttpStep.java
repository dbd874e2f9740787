package dev.faultbox.plugin.http;

import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.Config;
import dev.faultbox.plugin.support.Json;
import dev.faultbox.plugin.support.StepArgs;
import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.spi.StepResult;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * {@code get post put patch delete head} on an http or http2 interface, through the JDK HTTP
 * client: {@code path = "/"} (may carry {@code ?a=b}), {@code body} (str, bytes, or a dict or list
 * sent as JSON), {@code headers}, {@code query} (a dict, url-encoded and appended), {@code
 * timeout_ms = 30000}. Any HTTP status is a response with {@code ok = True}; a refused connection,
 * a timeout or a failed TLS handshake is {@code ok = False} with a one-line error. Bad arguments
 * raise.
 */
final class HttpStep implements StepMethod {

  static final List<String> METHODS = List.of("get", "post", "put", "patch", "delete", "head");
  static final List<String> PARAMETERS = List.of("path", "body", "headers", "query", "timeout_ms");
  static final long DEFAULT_TIMEOUT_MS = 30_000;

  private final String name;
  private final String method;
  private final boolean http2;
  private final StepClients clients;

  HttpStep(String name, boolean http2, StepClients clients) {
    this.name = name;
    this.method = name.toUpperCase(Locale.ROOT);
    this.http2 = http2;
    this.clients = clients;
  }

  @Override
  public List<String> parameters() {
    return PARAMETERS;
  }

  @Override
  public StepResult call(Endpoint target, Map<String, Object> kwargs) {
    StepArgs args = StepArgs.of(name, kwargs).only(PARAMETERS);
    String path = path(args);
    Map<String, String> headers = args.stringDict("headers");
    String query = query(args);
    long timeoutMs = args.timeoutMs(DEFAULT_TIMEOUT_MS);
    byte[] body = body(args);
    boolean json = args.get("body") instanceof Map || args.get("body") instanceof List;

    String url = url(target, path, query);
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw args.error("path", "does not make a valid URL: " + url);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(timeoutMs));
    boolean contentType = false;
    for (Map.Entry<String, String> header : headers.entrySet()) {
      contentType |= header.getKey().equalsIgnoreCase("Content-Type");
      try {
        request.header(header.getKey(), header.getValue());
      } catch (IllegalArgumentException e) {
        throw args.error("headers", "cannot set \"" + header.getKey() + "\": the HTTP client sets or refuses it ("
            + Failures.oneLine(e) + ")");
      }
    }
    if (json && !contentType) {
      request.header("Content-Type", "application/json");
    }
    request.method(
        method,
        body == null || body.length == 0
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));

    HttpClient client = clients.get(http2, target.tls(), target.mockCa());
    String what = method + " " + url;
    long started = System.nanoTime();
    CompletableFuture<HttpResponse<byte[]>> pending =
        client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    try {
      HttpResponse<byte[]> response = pending.get(timeoutMs, TimeUnit.MILLISECONDS);
      return new StepResult.Response(
          true, response.statusCode(), response.body(), headersOf(response), "", elapsedMs(started));
    } catch (TimeoutException e) {
      pending.cancel(true);
      return failed(what, "timed out after " + timeoutMs + "ms", started);
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt();
      return failed(what, "interrupted", started);
    } catch (CancellationException e) {
      return failed(what, "cancelled", started);
    } catch (ExecutionException e) {
      return failed(what, describe(e.getCause(), timeoutMs), started);
    }
  }

  private static String describe(Throwable cause, long timeoutMs) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof HttpConnectTimeoutException || t instanceof HttpTimeoutException) {
        return "timed out after " + timeoutMs + "ms";
      }
      if (t instanceof ConnectException) {
        return "connection refused";
      }
      if (t instanceof SSLException) {
        return "TLS handshake failed: " + Failures.oneLine(t);
      }
    }
    if (cause instanceof ClosedChannelException) {
      return "connection closed";
    }
    if (cause instanceof IOException && cause.getMessage() != null) {
      return Failures.oneLine(cause);
    }
    return cause == null ? "unknown failure" : Failures.oneLine(cause);
  }

  private static StepResult.Response failed(String what, String error, long started) {
    return StepResult.Response.failed(what + " failed: " + error, elapsedMs(started));
  }

  private static long elapsedMs(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }

  /** Reply headers, first value each, names canonicalised ({@code content-type} → {@code Content-Type}). */
  static Map<String, String> headersOf(HttpResponse<?> response) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> header : response.headers().map().entrySet()) {
      String name = header.getKey();
      if (name.startsWith(":") || header.getValue().isEmpty()) {
        continue;
      }
      headers.putIfAbsent(canonical(name), header.getValue().get(0));
    }
    return headers;
  }

  static String canonical(String name) {
    StringBuilder out = new StringBuilder(name.length());
    boolean upper = true;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      out.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
      upper = c == '-';
    }
    return out.toString();
  }

  private static String url(Endpoint target, String path, String query) {
    String host = target.host();
    if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    String url = (target.tls() ? "https" : "http") + "://" + host + ":" + target.port() + path;
    if (!query.isEmpty()) {
      url += (path.indexOf('?') >= 0 ? "&" : "?") + query;
    }
    return url;
  }

  // ---- arguments -------------------------------------------------------------------------

  private static String path(StepArgs args) {
    String path = args.string("path");
    if (path == null) {
      return "/";
    }
    if (!path.startsWith("/")) {
      throw args.error("path", "must start with \"/\", got \"" + path + "\"");
    }
    return path;
  }

  private static byte[] body(StepArgs args) {
    Object value = args.get("body");
    if (value == null) {
      return null;
    }
    byte[] bytes = StepArgs.bytes(value);
    if (bytes != null) {
      return bytes;
    }
    if (value instanceof Map || value instanceof List) {
      try {
        return Json.write(value).getBytes(StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw args.error("body", "cannot be sent as JSON: " + e.getMessage());
      }
    }
    throw args.error("body", "must be a str, bytes, dict or list, got " + Config.starlarkType(value));
  }

  private static String query(StepArgs args) {
    Object value = args.get("query");
    if (value == null) {
      return "";
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw args.error("query", "must be a dict, got " + Config.starlarkType(value));
    }
    StringBuilder out = new StringBuilder();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String key)) {
        throw args.error("query", "keys must be str, got " + Config.starlarkType(entry.getKey()));
      }
      List<?> values = entry.getValue() instanceof List<?> list ? list : List.of(entry.getValue());
      for (Object v : values) {
        if (!(v instanceof String || v instanceof Long || v instanceof Integer
            || v instanceof Double || v instanceof Boolean)) {
          throw args.error("query", "value of \"" + key + "\" must be a str, int, float or bool, got "
              + Config.starlarkType(v));
        }
        String text = v instanceof Boolean b ? (b ? "true" : "false") : v.toString();
        if (out.length() > 0) {
          out.append('&');
        }
        out.append(encode(key)).append('=').append(encode(text));
      }
    }
    return out.toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
