package dev.faultbox.sut;

import static dev.faultbox.sut.Orders.env;
import static dev.faultbox.sut.Orders.reply;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A system under test that keeps its state in Redis through Jedis: feature flags read with GET,
 * a visit counter with INCR and a sliding EXPIRE. A Redis error becomes a 503 naming it, and a
 * line on stderr. Configured only through its environment: PORT, REDIS_ADDR (host:port), REDIS_PASSWORD.
 */
public final class Flags {
  private static JedisPooled redis;

  public static void main(String[] args) throws Exception {
    HostAndPort at = HostAndPort.from(env("REDIS_ADDR"));
    redis = new JedisPooled(at, DefaultJedisClientConfig.builder()
        .password(env("REDIS_PASSWORD")).timeoutMillis(2000).build());
    int port = Integer.parseInt(env("PORT"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/health", ex -> reply(ex, 200, "{\"status\":\"ok\"}"));
    server.createContext("/flag/", Flags::flag);
    server.createContext("/visit", Flags::visit);
    server.start();
    System.out.println("flags listening on " + port);
  }

  private static void flag(HttpExchange ex) throws IOException {
    String name = URI.create(ex.getRequestURI().toString()).getPath().substring("/flag/".length());
    try {
      String value = redis.get("flag:" + name);
      if (value == null) {
        reply(ex, 404, "{\"error\":\"no such flag\"}");
      } else {
        reply(ex, 200, "{\"flag\":\"" + name + "\",\"enabled\":" + "on".equals(value) + "}");
      }
    } catch (JedisException e) {
      unavailable(ex, e);
    }
  }

  private static void visit(HttpExchange ex) throws IOException {
    ex.getRequestBody().readAllBytes();
    try {
      long visits = redis.incr("visits");
      redis.expire("visits", 60);
      reply(ex, 200, "{\"visits\":" + visits + "}");
    } catch (JedisException e) {
      unavailable(ex, e);
    }
  }

  private static void unavailable(HttpExchange ex, JedisException e) throws IOException {
    System.err.println("redis failed: " + e.getMessage());
    reply(ex, 503, "{\"error\":\"cache unavailable\"}");
  }
}
