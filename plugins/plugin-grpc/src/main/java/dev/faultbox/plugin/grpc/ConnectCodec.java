package dev.faultbox.plugin.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.faultbox.plugin.support.Failures;
import io.grpc.Metadata;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * The Connect protocol's own parts: message JSON against the method's types (a typed mock's
 * descriptor set; {@code google.protobuf.Struct} otherwise), the error JSON and its HTTP status,
 * and the streaming end-stream message.
 */
final class ConnectCodec {

  static final Metadata.Key<byte[]> STATUS_DETAILS =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private ConnectCodec() {}

  /** The request or reply type of a method: the schema's, or Struct for an untyped mock or unknown method. */
  static Descriptors.Descriptor type(Schema schema, String path, boolean input) {
    Descriptors.MethodDescriptor method = schema == null ? null : schema.method(path);
    if (method == null) {
      return Struct.getDescriptor();
    }
    return input ? method.getInputType() : method.getOutputType();
  }

  /** A request message's JSON as its binary form. */
  static byte[] fromJson(byte[] json, Descriptors.Descriptor type, Schema schema) throws InvalidProtocolBufferException {
    String text = new String(json, StandardCharsets.UTF_8);
    if (text.isBlank()) {
      return new byte[0];
    }
    Message.Builder builder = type == Struct.getDescriptor() ? Struct.newBuilder() : DynamicMessage.newBuilder(type);
    JsonFormat.parser().usingTypeRegistry(registry(schema)).ignoringUnknownFields().merge(text, builder);
    return builder.build().toByteArray();
  }

  /** A reply message in JSON (protojson's default form: JSON names, defaults left out). */
  static byte[] toJson(byte[] binary, Descriptors.Descriptor type, Schema schema) throws InvalidProtocolBufferException {
    Message message = type == Struct.getDescriptor() ? Struct.parseFrom(binary) : DynamicMessage.parseFrom(type, binary);
    return JsonFormat.printer().usingTypeRegistry(registry(schema)).omittingInsignificantWhitespace().print(message)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static TypeRegistry registry(Schema schema) {
    return schema == null ? TypeRegistry.getEmptyTypeRegistry() : schema.registry();
  }

  /** A gRPC code's Connect name: {@code unavailable}, {@code canceled}, ... */
  static String codeName(Status.Code code) {
    return code == Status.Code.CANCELLED ? "canceled" : code.name().toLowerCase(Locale.ROOT);
  }

  /** The HTTP status a unary Connect error is sent with (the Connect spec's table). */
  static int httpStatus(Status.Code code) {
    return switch (code) {
      case CANCELLED -> 499;
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
      case DEADLINE_EXCEEDED -> 504;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, ABORTED -> 409;
      case PERMISSION_DENIED -> 403;
      case RESOURCE_EXHAUSTED -> 429;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      case UNAUTHENTICATED -> 401;
      default -> 500; // UNKNOWN, INTERNAL, DATA_LOSS
    };
  }

  /**
   * The error as Connect's JSON object: code, message, and the google.rpc.Status details the
   * trailers carried, each {@code {"type": <full name>, "value": <unpadded base64>}}.
   */
  static Struct error(Status.Code code, String message, Metadata trailers) {
    Struct.Builder error = Struct.newBuilder().putFields("code", string(codeName(code)));
    if (message != null && !message.isEmpty()) {
      error.putFields("message", string(message));
    }
    byte[] details = trailers == null ? null : trailers.get(STATUS_DETAILS);
    if (details != null) {
      try {
        ListValue.Builder list = ListValue.newBuilder();
        for (Any detail : com.google.rpc.Status.parseFrom(details).getDetailsList()) {
          String url = detail.getTypeUrl();
          list.addValues(Value.newBuilder().setStructValue(Struct.newBuilder()
              .putFields("type", string(url.substring(url.lastIndexOf('/') + 1)))
              .putFields("value", string(Base64.getEncoder().withoutPadding().encodeToString(detail.getValue().toByteArray())))));
        }
        if (list.getValuesCount() > 0) {
          error.putFields("details", Value.newBuilder().setListValue(list).build());
        }
      } catch (InvalidProtocolBufferException e) {
        // Details that are not a google.rpc.Status cannot be told in Connect's form; the code and message still are.
      }
    }
    return error.build();
  }

  /** Connect streaming's end-stream message: the error, if any, and the trailers as metadata. */
  static byte[] endStream(Status status, Metadata trailers) {
    Struct.Builder end = Struct.newBuilder();
    if (!status.isOk()) {
      end.putFields("error", Value.newBuilder().setStructValue(error(status.getCode(), status.getDescription(), trailers)).build());
    }
    Struct.Builder metadata = Struct.newBuilder();
    for (Map.Entry<String, String> entry : WebCalls.headers(trailers)) {
      if (!entry.getKey().equals(STATUS_DETAILS.name())) {
        Value.Builder values = metadata.getFieldsOrDefault(entry.getKey(), Value.newBuilder()
            .setListValue(ListValue.getDefaultInstance()).build()).toBuilder();
        values.getListValueBuilder().addValues(string(entry.getValue()));
        metadata.putFields(entry.getKey(), values.build());
      }
    }
    if (metadata.getFieldsCount() > 0) {
      end.putFields("metadata", Value.newBuilder().setStructValue(metadata).build());
    }
    return json(end.build());
  }

  static byte[] json(Struct struct) {
    try {
      return JsonFormat.printer().omittingInsignificantWhitespace().print(struct).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(Failures.oneLine(e)); // a Struct of strings always prints
    }
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
