package dev.faultbox.plugin.support;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON text to and from the plain Java values the SPI passes around (String, Long, Integer,
 * Double, Boolean, null, List, and Map with String keys), on Jackson. Doubles are written as
 * Jackson writes them ({@code 1.0}); U+2028 and U+2029 are escaped too, for JavaScript readers.
 */
public final class Json {

  /** How deep a value nests before it is refused: a body or reply is never that deep. */
  public static final int MAX_DEPTH = 200;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
          .build();

  static {
    FACTORY.setCharacterEscapes(new LineSeparators());
  }

  private static final ObjectMapper MAPPER =
      JsonMapper.builder(FACTORY)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private Json() {}

  /**
   * Plain values as JSON.
   *
   * @throws IllegalArgumentException naming the path of the first value JSON cannot hold: bytes,
   *     a non-finite double, a key that is not a str, or nesting deeper than {@link #MAX_DEPTH}
   */
  public static String write(Object value) {
    return write(value, false);
  }

  /**
   * Plain values, and byte arrays, as the proto3 JSON mapping reads them: bytes as base64
   * strings, non-finite doubles as {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}.
   *
   * @throws IllegalArgumentException as {@link #write} does, but for bytes and non-finite doubles
   */
  public static String writeProto3(Object value) {
    return write(value, true);
  }

  /** {@code s} as a JSON string literal. */
  public static String quote(String s) {
    return write(s);
  }

  /**
   * Parses one JSON value: objects become LinkedHashMaps, integers Longs (Doubles when too big
   * for a long), other numbers Doubles.
   *
   * @throws IllegalArgumentException for text that is not one JSON value
   */
  public static Object parse(String text) {
    try {
      return plain(MAPPER.readValue(text, Object.class));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("bad JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static Object plain(Object value) {
    if (value instanceof Integer i) {
      return i.longValue();
    }
    if (value instanceof BigInteger big) {
      return big.doubleValue();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put((String) k, plain(v)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      list.forEach(v -> out.add(plain(v)));
      return out;
    }
    return value;
  }

  private static String write(Object value, boolean proto3) {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      write(generator, value, "", 0, proto3);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private static void write(JsonGenerator out, Object value, String path, int depth, boolean proto3)
      throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("value nested deeper than " + MAX_DEPTH + " levels");
    }
    if (value == null) {
      out.writeNull();
    } else if (value instanceof String s) {
      out.writeString(s);
    } else if (value instanceof Boolean b) {
      out.writeBoolean(b);
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      out.writeNumber(((Number) value).longValue());
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (!proto3 && (Double.isNaN(d) || Double.isInfinite(d))) {
        throw new IllegalArgumentException("JSON cannot hold " + d + at(path));
      }
      out.writeNumber(d); // non-finite ones as strings, as Jackson writes them by default
    } else if (proto3 && value instanceof byte[] bytes) {
      out.writeBinary(bytes);
    } else if (value instanceof Map<?, ?> map) {
      out.writeStartObject();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!(entry.getKey() instanceof String key)) {
          throw new IllegalArgumentException(
              "JSON object keys must be str, got " + Config.starlarkType(entry.getKey()) + at(path));
        }
        out.writeFieldName(key);
        write(out, entry.getValue(), path.isEmpty() ? key : path + "." + key, depth + 1, proto3);
      }
      out.writeEndObject();
    } else if (value instanceof List<?> list) {
      out.writeStartArray();
      for (int i = 0; i < list.size(); i++) {
        write(out, list.get(i), path + "[" + i + "]", depth + 1, proto3);
      }
      out.writeEndArray();
    } else {
      throw new IllegalArgumentException("JSON cannot hold a " + Config.starlarkType(value) + at(path));
    }
  }

  private static String at(String path) {
    return path.isEmpty() ? "" : " at " + path;
  }

  /** Jackson's standard escapes, and U+2028 and U+2029, which end a line in JavaScript. */
  private static final class LineSeparators extends CharacterEscapes {
    private static final SerializableString LS = new SerializedString("\\u2028");
    private static final SerializableString PS = new SerializedString("\\u2029");
    private final int[] ascii = standardAsciiEscapesForJSON();

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return ch == 0x2028 ? LS : ch == 0x2029 ? PS : null;
    }
  }
}
