package dev.faultbox.plugin.mongodb;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.bson.BSONException;
import org.bson.BsonBinaryReader;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames the byte stream into messages and reads OP_MSG (sections, document sequences, the
 * checksum, moreToCome and exhaustAllowed flags) and OP_QUERY into {@link WireRequest}s, BSON
 * through the library's decoder. What cannot be read becomes a {@link BadInput}, as mongod treats
 * it: a length that cannot be a message ends the connection (nothing after it can be framed); an
 * unknown opCode is skipped; a message that does not parse is answered with an error.
 */
final class WireDecoder extends ByteToMessageDecoder {

  static final int HEADER_BYTES = 16;
  /** mongod's maxMessageSizeBytes, which hello reports. */
  static final int MAX_MESSAGE_BYTES = 48_000_000;

  static final int OP_QUERY = 2004;
  static final int OP_MSG = 2013;

  private static final int CHECKSUM_PRESENT = 1;
  private static final int MORE_TO_COME = 1 << 1;
  /** Flags mongod requires it to understand: bits 0..15. */
  private static final int REQUIRED_FLAGS = 0xffff;

  private final int connectionId;
  private boolean broken;

  WireDecoder(int connectionId) {
    this.connectionId = connectionId;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (broken) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < 4) {
      return;
    }
    int length = in.getIntLE(in.readerIndex());
    if (length < HEADER_BYTES || length > MAX_MESSAGE_BYTES) {
      broken = true;
      in.skipBytes(in.readableBytes());
      out.add(BadInput.unframed(length));
      return;
    }
    if (in.readableBytes() < length) {
      return;
    }
    ByteBuf message = in.readSlice(length);
    int requestId = message.getIntLE(4);
    int opCode = message.getIntLE(12);
    message.skipBytes(HEADER_BYTES);
    try {
      out.add(switch (opCode) {
        case OP_MSG -> opMsg(ctx, requestId, message);
        case OP_QUERY -> opQuery(ctx, requestId, message);
        default -> BadInput.unsupported(requestId, opCode);
      });
    } catch (RuntimeException e) {
      // Truncated or malformed BSON, a section overrunning its message: what mongod calls InvalidBSON.
      out.add(BadInput.invalid(requestId, opCode, 22, "InvalidBSON", "invalid message: " + e.getMessage()));
    }
  }

  private Object opMsg(ChannelHandlerContext ctx, int requestId, ByteBuf in) {
    int flags = in.readIntLE();
    if ((flags & REQUIRED_FLAGS & ~(CHECKSUM_PRESENT | MORE_TO_COME)) != 0) {
      return BadInput.invalid(requestId, OP_MSG, 40431, "Location40431",
          "Unsupported OP_MSG flag bits: 0x" + Integer.toHexString(flags & REQUIRED_FLAGS));
    }
    int end = in.writerIndex() - ((flags & CHECKSUM_PRESENT) != 0 ? 4 : 0);
    Document body = null;
    List<String> sequenceNames = new ArrayList<>();
    List<List<Document>> sequences = new ArrayList<>();
    while (in.readerIndex() < end) {
      byte kind = in.readByte();
      if (kind == 0) {
        if (body != null) {
          return BadInput.invalid(requestId, OP_MSG, 40430, "Location40430", "Multiple body sections in message");
        }
        body = checkedBson(in);
      } else if (kind == 1) {
        int start = in.readerIndex();
        int size = in.readIntLE();
        if (size < 5 || start + size > end) {
          throw new IllegalArgumentException("document sequence of " + size + " bytes overruns its message");
        }
        ByteBuf section = in.readSlice(size - 4);
        sequenceNames.add(BsonDecoder.decodeCString(section));
        List<Document> documents = new ArrayList<>();
        while (section.isReadable()) {
          documents.add(checkedBson(section));
        }
        sequences.add(documents);
      } else {
        return BadInput.invalid(requestId, OP_MSG, 40432, "Location40432", "Unknown section kind " + kind);
      }
    }
    if (in.readerIndex() != end) {
      throw new IllegalArgumentException("sections overrun the message");
    }
    if (body == null || body.isEmpty()) {
      return BadInput.invalid(requestId, OP_MSG, 40587, "Location40587", "OP_MSG messages must have a body");
    }
    for (int i = 0; i < sequenceNames.size(); i++) {
      if (body.containsKey(sequenceNames.get(i))) {
        return BadInput.invalid(requestId, OP_MSG, 40433, "Location40433",
            "Duplicate field between body and document sequence " + sequenceNames.get(i));
      }
      body.put(sequenceNames.get(i), sequences.get(i));
    }
    if (!(body.get("$db") instanceof String database)) {
      return BadInput.invalid(requestId, OP_MSG, 40571, "Location40571", "OP_MSG requests require a $db argument");
    }
    String command = body.keySet().iterator().next();
    return new WireRequest(requestId, false, (flags & MORE_TO_COME) != 0, database, command, body, ctx.channel(), connectionId);
  }

  /**
   * The document at the reader index, read by the library once the driver's BSON reader has
   * checked it: the library's decoder allocates each string and binary at the length it declares
   * before reading it, so a corrupt length (found by the fuzzer) made it allocate up to 2 GiB.
   */
  static Document checkedBson(ByteBuf in) {
    int available = in.readableBytes();
    int length = available >= 4 ? in.getIntLE(in.readerIndex()) : -1;
    if (length < 5 || length > available) {
      throw new IllegalArgumentException("a document of " + length + " bytes where " + available + " are left");
    }
    ByteBuffer bytes = in.nioBuffer(in.readerIndex(), length).order(ByteOrder.LITTLE_ENDIAN);
    try (BsonBinaryReader reader = new BsonBinaryReader(bytes)) {
      CHECKER.decode(reader, DecoderContext.builder().build());
    } catch (BSONException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return BsonDecoder.decodeBson(in);
  }

  private static final BsonDocumentCodec CHECKER = new BsonDocumentCodec();

  /** OP_QUERY on {@code <db>.$cmd}: since 6.0 only for the hello a driver sends first. */
  private Object opQuery(ChannelHandlerContext ctx, int requestId, ByteBuf in) {
    in.readIntLE(); // flags: secondaryOk and the like, which a command ignores
    String namespace = BsonDecoder.decodeCString(in);
    in.readIntLE(); // numberToSkip
    in.readIntLE(); // numberToReturn
    Document query = checkedBson(in);
    if (in.isReadable()) {
      checkedBson(in); // returnFieldsSelector
    }
    if (in.isReadable()) {
      throw new IllegalArgumentException("bytes after the query document");
    }
    if (query.get("$query") instanceof Document wrapped) {
      query = wrapped;
    }
    int dot = namespace.indexOf('.');
    String database = dot < 0 ? namespace : namespace.substring(0, dot);
    String command = query.isEmpty() ? "" : query.keySet().iterator().next();
    boolean isCommand = dot >= 0 && namespace.substring(dot + 1).equals("$cmd");
    return new WireRequest(requestId, true, false, database, isCommand ? command : "find", query,
        ctx.channel(), connectionId);
  }
}
