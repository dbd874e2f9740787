package dev.faultbox.plugin.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.faultbox.plugin.support.Failures;
import dev.faultbox.plugin.support.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Encoding and decoding of messages: plain Java values to {@code google.protobuf.Struct} (untyped
 * mocks) or to a message type by the proto3 JSON mapping (typed mocks), and messages back to
 * plain values and JSON text. Field names are matched as written in the .proto or in their
 * lowerCamelCase JSON form; messages going back out use the .proto names.
 */
final class Messages {

  /** Types with their own JSON form: their contents are not dicts of fields. */
  private static final Set<String> SPECIAL_JSON = Set.of(
      "google.protobuf.Any", "google.protobuf.Duration", "google.protobuf.FieldMask",
      "google.protobuf.Timestamp", "google.protobuf.Struct", "google.protobuf.Value",
      "google.protobuf.ListValue", "google.protobuf.DoubleValue", "google.protobuf.FloatValue",
      "google.protobuf.Int64Value", "google.protobuf.UInt64Value", "google.protobuf.Int32Value",
      "google.protobuf.UInt32Value", "google.protobuf.BoolValue", "google.protobuf.StringValue",
      "google.protobuf.BytesValue");

  private static final int MAX_DEPTH = 100;

  private Messages() {}

  // ---- untyped: Struct ------------------------------------------------------------------

  /**
   * @throws IllegalArgumentException naming the path of a value a Struct cannot hold
   */
  static Struct struct(Map<String, Object> fields) {
    return struct(fields, "", 0);
  }

  private static Struct struct(Map<?, ?> fields, String path, int depth) {
    Struct.Builder out = Struct.newBuilder();
    for (Map.Entry<?, ?> entry : fields.entrySet()) {
      if (!(entry.getKey() instanceof String key)) {
        throw new IllegalArgumentException("dict key " + entry.getKey() + at(path)
            + " is not a str; google.protobuf.Struct keys are strings");
      }
      out.putFields(key, value(entry.getValue(), path.isEmpty() ? key : path + "." + key, depth + 1));
    }
    return out.build();
  }

  private static Value value(Object v, String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("value nested deeper than " + MAX_DEPTH + " levels");
    }
    if (v == null) {
      return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    } else if (v instanceof String s) {
      return Value.newBuilder().setStringValue(s).build();
    } else if (v instanceof Boolean b) {
      return Value.newBuilder().setBoolValue(b).build();
    } else if (v instanceof Number n && !(v instanceof java.math.BigDecimal)) {
      return Value.newBuilder().setNumberValue(n.doubleValue()).build();
    } else if (v instanceof Map<?, ?> map) {
      return Value.newBuilder().setStructValue(struct(map, path, depth)).build();
    } else if (v instanceof List<?> list) {
      ListValue.Builder values = ListValue.newBuilder();
      for (int i = 0; i < list.size(); i++) {
        values.addValues(value(list.get(i), path + "[" + i + "]", depth + 1));
      }
      return Value.newBuilder().setListValue(values).build();
    }
    String type = v instanceof byte[] ? "bytes" : v.getClass().getSimpleName();
    throw new IllegalArgumentException(
        "a " + type + " value" + at(path) + " cannot be a google.protobuf.Struct value (use str, int, float, bool, None, list or dict)");
  }

  private static String at(String path) {
    return path.isEmpty() ? "" : " at \"" + path + "\"";
  }

  // ---- typed: the proto3 JSON mapping ----------------------------------------------------

  /**
   * Encodes plain values as {@code type}.
   *
   * @throws IllegalArgumentException one line: an unknown field with a did-you-mean, or the JSON
   *     mapping's complaint
   */
  static DynamicMessage encode(Descriptor type, Map<String, Object> fields, TypeRegistry registry) {
    check(type, fields, 0);
    String json;
    try {
      json = Json.writeProto3(fields);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " in " + type.getFullName());
    }
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
    try {
      JsonFormat.parser().usingTypeRegistry(registry).merge(json, builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot encode as " + type.getFullName() + ": " + Failures.oneLine(e));
    }
    return builder.build();
  }

  /** Walks the dicts, naming the first field the type does not have. */
  private static void check(Descriptor type, Object value, int depth) {
    if (depth > MAX_DEPTH || SPECIAL_JSON.contains(type.getFullName()) || !(value instanceof Map<?, ?> map)) {
      return; // the JSON mapping reports what is wrong with it
    }
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String key)) {
        continue;
      }
      FieldDescriptor field = field(type, key);
      if (field == null) {
        throw new IllegalArgumentException(
            "unknown field \"" + key + "\" in " + type.getFullName() + didYouMean(key, type));
      }
      Object v = entry.getValue();
      if (field.isMapField()) {
        FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
        if (valueField != null && valueField.getJavaType() == FieldDescriptor.JavaType.MESSAGE
            && v instanceof Map<?, ?> entries) {
          for (Object item : entries.values()) {
            check(valueField.getMessageType(), item, depth + 1);
          }
        }
      } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (field.isRepeated() && v instanceof List<?> items) {
          for (Object item : items) {
            check(field.getMessageType(), item, depth + 1);
          }
        } else {
          check(field.getMessageType(), v, depth + 1);
        }
      }
    }
  }

  private static FieldDescriptor field(Descriptor type, String name) {
    FieldDescriptor field = type.findFieldByName(name);
    if (field != null) {
      return field;
    }
    for (FieldDescriptor f : type.getFields()) {
      if (f.getJsonName().equals(name)) {
        return f;
      }
    }
    return null;
  }

  /** {@code  (did you mean "city_id"?)}, or empty when no field name is close. */
  static String didYouMean(String name, Descriptor type) {
    List<String> names = new ArrayList<>();
    for (FieldDescriptor f : type.getFields()) {
      names.add(f.getName());
    }
    String best = closest(name, names);
    if (best != null) {
      return " (did you mean \"" + best + "\"?)";
    }
    return names.isEmpty() ? " (it has no fields)" : " (fields: " + String.join(", ", names) + ")";
  }

  /** The candidate closest to {@code name}, when it is close enough to be a typo; else null. */
  static String closest(String name, List<String> candidates) {
    String folded = fold(name);
    for (String candidate : candidates) {
      if (fold(candidate).equals(folded)) {
        return candidate;
      }
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    int allowed = Math.max(1, Math.min(3, name.length() / 3));
    return bestDistance <= allowed ? best : null;
  }

  private static String fold(String s) {
    return s.replace("_", "").toLowerCase(Locale.ROOT);
  }

  /**
   * The optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
   * neighbours each cost one, so the transposition typo {@code nmae} is one edit from {@code name}.
   */
  private static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  // ---- decoding --------------------------------------------------------------------------

  /** The message as JSON text: .proto field names, fields without presence always printed. */
  static String json(Message message, TypeRegistry registry) {
    try {
      return JsonFormat.printer()
          .usingTypeRegistry(registry)
          .preservingProtoFieldNames()
          .alwaysPrintFieldsWithNoPresence()
          .omittingInsignificantWhitespace()
          .print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(Failures.oneLine(e));
    }
  }

  /**
   * The message as plain Java values: a Map of .proto field names; int64 as Long, enums by name,
   * bytes as byte[], well-known types in their JSON form (a Timestamp is its RFC 3339 string).
   */
  static Map<String, Object> plain(Message message, TypeRegistry registry) {
    Object value = plainValue(message, registry);
    if (value instanceof Map<?, ?> map) {
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = (Map<String, Object>) map;
      return fields;
    }
    Map<String, Object> wrapped = new LinkedHashMap<>();
    wrapped.put("value", value);
    return wrapped;
  }

  private static Object plainValue(Message message, TypeRegistry registry) {
    Descriptor type = message.getDescriptorForType();
    if (SPECIAL_JSON.contains(type.getFullName())) {
      return Json.parse(json(message, registry));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (FieldDescriptor field : type.getFields()) {
      if (field.isMapField()) {
        Map<String, Object> entries = new LinkedHashMap<>();
        for (Object item : (List<?>) message.getField(field)) {
          Message entry = (Message) item;
          FieldDescriptor k = entry.getDescriptorForType().findFieldByName("key");
          FieldDescriptor v = entry.getDescriptorForType().findFieldByName("value");
          entries.put(String.valueOf(entry.getField(k)), scalar(v, entry.getField(v), registry));
        }
        out.put(field.getName(), entries);
      } else if (field.isRepeated()) {
        List<Object> items = new ArrayList<>();
        for (Object item : (List<?>) message.getField(field)) {
          items.add(scalar(field, item, registry));
        }
        out.put(field.getName(), items);
      } else if (!field.hasPresence() || message.hasField(field)) {
        out.put(field.getName(), scalar(field, message.getField(field), registry));
      }
    }
    return out;
  }

  private static Object scalar(FieldDescriptor field, Object value, TypeRegistry registry) {
    return switch (field.getType()) {
      case INT32, SINT32, SFIXED32 -> ((Integer) value).longValue();
      case UINT32, FIXED32 -> Integer.toUnsignedLong((Integer) value);
      case INT64, SINT64, SFIXED64 -> value;
      case UINT64, FIXED64 -> {
        long n = (Long) value;
        yield n >= 0 ? (Object) n : Long.toUnsignedString(n);
      }
      case FLOAT -> ((Float) value).doubleValue();
      case DOUBLE, BOOL, STRING -> value;
      case BYTES -> ((ByteString) value).toByteArray();
      case ENUM -> {
        EnumValueDescriptor e = (EnumValueDescriptor) value;
        yield e.getIndex() >= 0 && e.getType().findValueByNumber(e.getNumber()) != null
            ? e.getName()
            : (Object) (long) e.getNumber();
      }
      case MESSAGE, GROUP -> plainValue((Message) value, registry);
    };
  }

  /** A Struct as plain values; numbers stay doubles. */
  static Map<String, Object> plain(Struct struct) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Value> entry : struct.getFieldsMap().entrySet()) {
      out.put(entry.getKey(), plain(entry.getValue()));
    }
    return out;
  }

  private static Object plain(Value value) {
    return switch (value.getKindCase()) {
      case NULL_VALUE, KIND_NOT_SET -> null;
      case NUMBER_VALUE -> value.getNumberValue();
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> value.getBoolValue();
      case STRUCT_VALUE -> plain(value.getStructValue());
      case LIST_VALUE -> {
        List<Object> items = new ArrayList<>();
        for (Value item : value.getListValue().getValuesList()) {
          items.add(plain(item));
        }
        yield items;
      }
    };
  }
}
