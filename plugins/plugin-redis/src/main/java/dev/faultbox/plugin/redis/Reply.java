package dev.faultbox.plugin.redis;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A RESP2 reply as the commands compute it, free of Netty buffers (so a reply that is never sent
 * needs no release); {@link #message()} turns it into what Netty's {@code RedisEncoder} writes.
 * Byte strings are held as ISO-8859-1 {@code String}s, one char per byte, like the keyspace.
 */
sealed interface Reply {

  /** The RESP type name, as events record it. */
  String type();

  RedisMessage message();

  record Simple(String text) implements Reply {
    public String type() {
      return "simple_string";
    }

    public RedisMessage message() {
      return new SimpleStringRedisMessage(text);
    }
  }

  /** An error; {@code text} is a binary string like the rest (it may quote a client's bytes). */
  record Error(String text) implements Reply {
    public String type() {
      return "error";
    }

    public RedisMessage message() {
      return new ErrorRedisMessage(Command.text(text)); // the encoder writes it as UTF-8: the same bytes
    }
  }

  record Int(long value) implements Reply {
    public String type() {
      return "integer";
    }

    public RedisMessage message() {
      return new IntegerRedisMessage(value);
    }
  }

  /** A bulk string; {@code bytes} is a binary string (ISO-8859-1), {@code null} for the null bulk. */
  record Bulk(String bytes) implements Reply {
    public String type() {
      return bytes == null ? "null" : "bulk_string";
    }

    public RedisMessage message() {
      return bytes == null
          ? FullBulkStringRedisMessage.NULL_INSTANCE
          : new FullBulkStringRedisMessage(Unpooled.wrappedBuffer(bytes.getBytes(StandardCharsets.ISO_8859_1)));
    }
  }

  /** An array; {@code items} {@code null} for the null array. */
  record Array(List<Reply> items) implements Reply {
    public String type() {
      return items == null ? "null" : "array";
    }

    public RedisMessage message() {
      if (items == null) {
        return ArrayRedisMessage.NULL_INSTANCE;
      }
      if (items.isEmpty()) {
        return ArrayRedisMessage.EMPTY_INSTANCE;
      }
      List<RedisMessage> children = new ArrayList<>(items.size());
      for (Reply item : items) {
        children.add(item.message());
      }
      return new ArrayRedisMessage(children);
    }
  }

  /** No reply: the connection closes (a drop or reset fault). */
  record Close() implements Reply {
    public String type() {
      return "none";
    }

    public RedisMessage message() {
      throw new UnsupportedOperationException("a closing reply has no message");
    }
  }

  /** A reply, then the connection closes (QUIT, a protocol error). */
  record ThenClose(Reply reply) implements Reply {
    public String type() {
      return reply.type();
    }

    public RedisMessage message() {
      return reply.message();
    }
  }

  Reply OK = new Simple("OK");
  Reply NULL = new Bulk(null);
  Reply NULL_ARRAY = new Array(null);
  Reply ZERO = new Int(0);
  Reply ONE = new Int(1);

  static Reply bulk(String binary) {
    return new Bulk(binary);
  }

  static Reply bulks(List<String> binaries) {
    List<Reply> items = new ArrayList<>(binaries.size());
    for (String b : binaries) {
      items.add(new Bulk(b));
    }
    return new Array(items);
  }

  static Reply error(String text) {
    return new Error(text);
  }
}
