package dev.faultbox.sut;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small system under test for the spec tests: an "orders" service that validates callers with
 * its identity provider's JWKS (fetched on the first order, then cached), prices each order with
 * a line-protocol cache, and counts orders in StatsD. Configured only through its environment.
 */
public final class Orders {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static volatile String jwks;
  private static final AtomicInteger ORDERS = new AtomicInteger();

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(env("PORT"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/health", ex -> reply(ex, 200, "{\"status\":\"ok\"}"));
    server.createContext("/order", Orders::order);
    server.start();
    System.out.println("orders listening on " + port);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("orders stopping")));
  }

  private static void order(HttpExchange ex) throws IOException {
    if (!ex.getRequestMethod().equals("POST")) {
      reply(ex, 405, "{\"error\":\"POST only\"}");
      return;
    }
    ex.getRequestBody().readAllBytes();
    try {
      if (jwks == null) {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(env("JWKS_URL")))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          System.err.println("JWKS fetch failed: " + r.statusCode());
          reply(ex, 503, "{\"error\":\"auth unavailable\"}");
          return;
        }
        jwks = r.body();
      }
      String price = line(env("CACHE_ADDR"), "PRICE book");
      metric(env("STATSD_ADDR"), "orders.created:1|c");
      reply(ex, 201, "{\"order\":" + ORDERS.incrementAndGet() + ",\"price\":\"" + price + "\"}");
    } catch (IOException | InterruptedException e) {
      System.err.println("order failed: " + e);
      reply(ex, 502, "{\"error\":\"dependency failed\"}");
    }
  }

  private static String line(String addr, String request) throws IOException {
    String[] hp = addr.split(":");
    try (Socket s = new Socket(hp[0], Integer.parseInt(hp[1]))) {
      s.setSoTimeout(2000);
      s.getOutputStream().write((request + "\n").getBytes(StandardCharsets.UTF_8));
      String answer = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
      return answer == null ? "" : answer;
    }
  }

  private static void metric(String addr, String text) throws IOException {
    String[] hp = addr.split(":");
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    try (DatagramSocket s = new DatagramSocket()) {
      s.send(new DatagramPacket(b, b.length, new InetSocketAddress(hp[0], Integer.parseInt(hp[1]))));
    }
  }

  static void reply(HttpExchange ex, int status, String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(b);
    }
  }

  static String env(String name) {
    String v = System.getenv(name);
    if (v == null) {
      System.err.println("missing environment variable " + name);
      System.exit(2);
    }
    return v;
  }
}
