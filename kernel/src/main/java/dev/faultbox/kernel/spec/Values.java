package dev.faultbox.kernel.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.starlark.java.eval.Dict;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Mutability;
import net.starlark.java.eval.Sequence;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkFloat;
import net.starlark.java.eval.StarlarkInt;
import net.starlark.java.eval.StarlarkList;

/**
 * Conversions between Starlark values and the plain Java values the SPI speaks (String, Long,
 * Double, Boolean, byte[], List, Map with String keys, null), and json().
 */
public final class Values {
  /** The JSON mapper, made on first use: a spec that handles no JSON does not pay for Jackson's start. */
  public static ObjectMapper json() {
    return Json.MAPPER;
  }

  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  }

  private Values() {}

  /** Starlark → plain Java. {@code what} names the value in errors ("body of json_response()"). */
  public static Object toJava(Object v, String what) throws EvalException {
    if (v == null || v == Starlark.NONE) {
      return null;
    }
    if (v instanceof String || v instanceof Boolean) {
      return v;
    }
    if (v instanceof StarlarkInt i) {
      Number n = i.toNumber(); // Integer, Long or BigInteger
      return n instanceof BigInteger ? n : (Object) n.longValue();
    }
    if (v instanceof StarlarkFloat f) {
      return f.toDouble();
    }
    if (v instanceof BytesValue b) {
      return b.toByteArray();
    }
    if (v instanceof Sequence<?> seq) { // list, tuple
      List<Object> out = new ArrayList<>(seq.size());
      for (Object o : seq) {
        out.add(toJava(o, what));
      }
      return out;
    }
    if (v instanceof Dict<?, ?> dict) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : dict.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw Starlark.errorf(
              "%s: dict keys must be strings, got %s", what, Starlark.type(e.getKey()));
        }
        out.put(key, toJava(e.getValue(), what));
      }
      return out;
    }
    if (v instanceof StructValue s) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (String k : s.getFieldNames()) {
        out.put(k, toJava(s.getValue(k), what));
      }
      return out;
    }
    throw Starlark.errorf("%s: a %s cannot be turned into data", what, Starlark.type(v));
  }

  /** Plain Java → Starlark (lists and dicts mutable in {@code mu}, or frozen when null). */
  public static Object toStarlark(Object v, Mutability mu) {
    if (v == null) {
      return Starlark.NONE;
    }
    if (v instanceof String || v instanceof Boolean || v instanceof BytesValue) {
      return v;
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return StarlarkInt.of(((Number) v).longValue());
    }
    if (v instanceof BigInteger b) {
      return StarlarkInt.of(b);
    }
    if (v instanceof Number n) {
      return StarlarkFloat.of(n.doubleValue());
    }
    if (v instanceof byte[] b) {
      return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(toStarlark(o, mu));
      }
      return mu == null ? StarlarkList.immutableCopyOf(out) : StarlarkList.copyOf(mu, out);
    }
    if (v instanceof Map<?, ?> map) {
      Dict.Builder<String, Object> b = Dict.builder();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        b.put(String.valueOf(e.getKey()), toStarlark(e.getValue(), mu));
      }
      return mu == null ? b.buildImmutable() : b.build(mu);
    }
    return Starlark.str(v);
  }

  /** Encodes a Starlark value as compact JSON, keys in declaration order. */
  public static byte[] toJson(Object v, String what) throws EvalException {
    try {
      return json().writeValueAsBytes(toJava(v, what));
    } catch (JsonProcessingException e) {
      throw Starlark.errorf("%s: %s", what, e.getOriginalMessage());
    }
  }

  /** Whether text starts (after white space) like a JSON object or array: a cheap test first. */
  public static boolean looksLikeJson(byte[] text) {
    for (byte b : text) {
      if (b == '{' || b == '[') {
        return true;
      }
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return false;
      }
    }
    return false;
  }

  /** Parses JSON text into plain Java, or returns null when it is not json(). */
  public static Object parseJsonOrNull(byte[] text) {
    if (text.length == 0) {
      return null;
    }
    try {
      return json().readValue(text, Object.class);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /** Strings from a Starlark sequence, naming the culprit when an item is not a string. */
  public static List<String> strings(Object seq, String what) throws EvalException {
    List<String> out = new ArrayList<>();
    for (Object o : Starlark.toIterable(seq)) {
      if (!(o instanceof String s)) {
        throw Starlark.errorf("%s must hold strings, got %s", what, Starlark.type(o));
      }
      out.add(s);
    }
    return out;
  }

  /** A string→string map from a Starlark dict (headers and the like). */
  public static Map<String, String> stringMap(Dict<?, ?> dict, String what) throws EvalException {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : dict.entrySet()) {
      if (!(e.getKey() instanceof String k)) {
        throw Starlark.errorf("%s keys must be strings, got %s", what, Starlark.type(e.getKey()));
      }
      Object v = e.getValue();
      out.put(k, v instanceof String s ? s : Starlark.str(v));
    }
    return out;
  }
}
