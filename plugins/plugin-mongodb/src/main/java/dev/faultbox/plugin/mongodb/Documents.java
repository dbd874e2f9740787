package dev.faultbox.plugin.mongodb;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * Documents between the three forms the plugin meets: extended JSON (seeds, step arguments,
 * events), BSON bytes, and the library's {@link Document}. Conversions go through BSON bytes, so
 * every value keeps its exact BSON type: the driver's codecs write them and the library's wire
 * decoder reads them, as if a client had sent them.
 */
final class Documents {
  private Documents() {}

  /** Compact, relaxed extended JSON, as mongosh prints it: {@code {"_id": {"$oid": "..."}, "n": 1}}. */
  static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

  /**
   * The BSON bytes of an extended JSON document ({@code {"$oid": ...}}, {@code {"$date": ...}},
   * {@code {"$numberLong": ...}} read as their types).
   *
   * @throws org.bson.json.JsonParseException or {@link org.bson.BsonInvalidOperationException}
   *     when it is not a document
   */
  static byte[] bson(String extendedJson) {
    return bytes(BsonDocument.parse(extendedJson));
  }

  static byte[] bytes(BsonDocument document) {
    ByteBuffer buffer = new RawBsonDocument(document, new BsonDocumentCodec()).getByteBuffer().asNIO();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  /** A fresh library document from BSON bytes. */
  static Document document(byte[] bson) {
    return BsonDecoder.decodeBson(Unpooled.wrappedBuffer(bson));
  }

  /** The BSON bytes of a library document. */
  static byte[] bytes(Document document) {
    ByteBuf buf = Unpooled.buffer(64);
    try {
      BsonEncoder.encodeDocument(document, buf);
      byte[] bytes = new byte[buf.readableBytes()];
      buf.readBytes(bytes);
      return bytes;
    } finally {
      buf.release();
    }
  }

  /** A library document as relaxed extended JSON. */
  static String json(Document document) {
    return new RawBsonDocument(bytes(document)).toJson(RELAXED);
  }

  /** As {@link #json(Document)}, cut to at most {@code max} characters (an ellipsis marks the cut). */
  static String json(Document document, int max) {
    String json;
    try {
      json = json(document);
    } catch (RuntimeException e) {
      json = String.valueOf(document); // a value BSON cannot carry: the library's own rendering
    }
    return json.length() <= max ? json : json.substring(0, max - 1) + "…";
  }
}
