package dev.faultbox.sut;

import static dev.faultbox.sut.Orders.env;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A system under test that knows its addresses only from Faultbox: it serves on
 * FAULTBOX_API_PUBLIC_PORT, answers {@code GET /relay} with what {@code GET $AUTH_URL} answered,
 * and {@code GET /env/NAME} with its environment variable NAME.
 */
public final class Relay {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(env("FAULTBOX_API_PUBLIC_PORT"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/health", ex -> reply(ex, 200, "ok"));
    server.createContext("/relay", Relay::relay);
    server.createContext("/env/", ex -> {
      String value = System.getenv(ex.getRequestURI().getPath().substring("/env/".length()));
      reply(ex, value == null ? 404 : 200, value == null ? "unset" : value);
    });
    server.start();
    System.out.println("relay listening on " + port);
  }

  private static void relay(HttpExchange ex) throws IOException {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(env("AUTH_URL")))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      reply(ex, r.statusCode(), r.body());
    } catch (IOException | InterruptedException e) {
      System.err.println("auth unreachable: " + e);
      reply(ex, 502, "auth unreachable");
    }
  }

  private static void reply(HttpExchange ex, int status, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(b);
    }
  }
}
