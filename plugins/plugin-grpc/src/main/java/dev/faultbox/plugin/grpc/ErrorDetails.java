package dev.faultbox.plugin.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.TypeRegistry;
import com.google.rpc.ErrorDetailsProto;
import io.grpc.Metadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rich error details: a status's {@code details=[{"@type": ..., ...}]} as the
 * {@code google.rpc.Status} that grpc-java's {@code StatusProto.fromThrowable}, grpc-js and
 * grpc-go read from the {@code grpc-status-details-bin} trailer. The common {@code google.rpc}
 * detail types (BadRequest, ErrorInfo, RetryInfo...) are known without a descriptor set; a typed
 * mock's own messages may be details too.
 */
final class ErrorDetails {

  static final Metadata.Key<byte[]> TRAILER = Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);
  private static final String TYPE_URL_PREFIX = "type.googleapis.com/";
  /** google/rpc/error_details.proto's messages, by full name. */
  private static final Map<String, Descriptor> COMMON = common();
  private static final TypeRegistry COMMON_REGISTRY = TypeRegistry.newBuilder().add(COMMON.values()).build();

  private ErrorDetails() {}

  /**
   * Details ready to send: the encoded {@code google.rpc.Status} for the trailer, and the details'
   * type URLs for the call's event.
   */
  record Encoded(byte[] status, List<String> types) {
    Encoded {
      types = List.copyOf(types);
    }
  }

  /**
   * The details encoded, or null when there are none.
   *
   * @param schema a typed mock's types, or null
   * @throws IllegalArgumentException one line naming the detail: no {@code @type}, an unknown one,
   *     or a field its type does not have
   */
  static Encoded encode(int code, String message, List<Map<String, Object>> details, Schema schema) {
    if (details.isEmpty()) {
      return null;
    }
    if (code == 0) {
      throw new IllegalArgumentException("details come with an error code; an OK status carries none");
    }
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(code).setMessage(message);
    List<String> types = new ArrayList<>();
    for (int i = 0; i < details.size(); i++) {
      String where = "details[" + i + "]";
      Map<String, Object> detail = details.get(i);
      if (!(detail.get("@type") instanceof String type) || type.isBlank()) {
        throw new IllegalArgumentException(where + " needs an \"@type\", such as \"" + TYPE_URL_PREFIX
            + "google.rpc.BadRequest\"");
      }
      String name = type.substring(type.lastIndexOf('/') + 1);
      Descriptor descriptor = COMMON.get(name);
      if (descriptor == null && schema != null) {
        descriptor = schema.registry().find(name);
      }
      if (descriptor == null) {
        String near = Messages.closest(name, new ArrayList<>(COMMON.keySet()));
        throw new IllegalArgumentException(where + ": unknown @type \"" + type + "\""
            + (near != null ? " (did you mean \"" + TYPE_URL_PREFIX + near + "\"?)" : "")
            + "; a detail is one of " + String.join(", ", new TreeMap<>(COMMON).keySet())
            + (schema != null ? ", or a message of " + schema.origin() : ""));
      }
      Map<String, Object> fields = new LinkedHashMap<>(detail);
      fields.remove("@type");
      TypeRegistry registry = schema != null ? schema.registry() : COMMON_REGISTRY; // a schema's has google.rpc too
      String typeUrl = type.contains("/") ? type : TYPE_URL_PREFIX + type;
      types.add(typeUrl);
      try {
        status.addDetails(Any.newBuilder()
            .setTypeUrl(typeUrl)
            .setValue(Messages.encode(descriptor, fields, registry).toByteString()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage());
      }
    }
    return new Encoded(status.build().toByteArray(), types);
  }

  /** google/rpc/error_details.proto's messages, for a type registry. */
  static List<Descriptor> commonTypes() {
    return ErrorDetailsProto.getDescriptor().getMessageTypes();
  }

  private static Map<String, Descriptor> common() {
    Map<String, Descriptor> out = new LinkedHashMap<>();
    for (Descriptor d : commonTypes()) {
      out.put(d.getFullName(), d);
    }
    return Map.copyOf(out);
  }
}
