package dev.faultbox.sut;

import static dev.faultbox.sut.Orders.env;
import static dev.faultbox.sut.Orders.reply;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A system under test that publishes an event to Kafka per order, with kafka-clients' producer
 * (idempotent, acks=all). {@code POST /order/<id>} waits for the broker's ack: 201 with the
 * partition and offset, or 503 and a stderr line when the record could not be delivered in time.
 * {@code POST /order/<id>?async} answers 202 once the record is handed to the producer, which
 * delivers it in the background (retrying what the broker refuses); {@code GET /stats} counts
 * acks and failures. Configured only through its environment: PORT, KAFKA_BROKERS, TOPIC.
 */
public final class OrderEvents {
  private static KafkaProducer<String, String> producer;
  private static String topic;
  private static final AtomicInteger ACKED = new AtomicInteger();
  private static final AtomicInteger FAILED = new AtomicInteger();

  public static void main(String[] args) throws Exception {
    topic = env("TOPIC");
    Properties p = new Properties();
    p.put("bootstrap.servers", env("KAFKA_BROKERS"));
    p.put("client.id", "order-events");
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    // Short bounds, so an unreachable or refusing broker is an answer within seconds, not minutes.
    p.put("request.timeout.ms", "1000");
    p.put("delivery.timeout.ms", "3000");
    p.put("max.block.ms", "3000");
    p.put("linger.ms", "0");
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    producer = new KafkaProducer<>(p);
    int port = Integer.parseInt(env("PORT"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/health", ex -> reply(ex, 200, "{\"status\":\"ok\"}"));
    server.createContext("/order/", OrderEvents::order);
    server.createContext("/stats", ex -> reply(ex, 200,
        "{\"acked\":" + ACKED.get() + ",\"failed\":" + FAILED.get() + "}"));
    server.start();
    System.out.println("order-events listening on " + port);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> producer.close(java.time.Duration.ofSeconds(1))));
  }

  private static void order(HttpExchange ex) throws IOException {
    if (!ex.getRequestMethod().equals("POST")) {
      reply(ex, 405, "{\"error\":\"POST only\"}");
      return;
    }
    String id = ex.getRequestURI().getPath().substring("/order/".length());
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    boolean async = "async".equals(ex.getRequestURI().getQuery());
    try {
      var sent = producer.send(new ProducerRecord<>(topic, id, body), (meta, e) -> {
        if (e == null) {
          ACKED.incrementAndGet();
        } else {
          FAILED.incrementAndGet();
          System.err.println("kafka failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
      });
      if (async) {
        reply(ex, 202, "{\"order\":\"" + id + "\"}");
        return;
      }
      RecordMetadata m = sent.get(5, TimeUnit.SECONDS);
      reply(ex, 201, "{\"order\":\"" + id + "\",\"partition\":" + m.partition() + ",\"offset\":" + m.offset() + "}");
    } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
      reply(ex, 503, "{\"error\":\"event bus unavailable\"}");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply(ex, 503, "{\"error\":\"interrupted\"}");
    }
  }
}
