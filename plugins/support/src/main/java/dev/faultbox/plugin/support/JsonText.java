package dev.faultbox.plugin.support;

/**
 * JSON string literals, for plugin-grpc until it writes through {@link Json}.
 *
 * @deprecated use {@link Json}; this delegates to it and goes once plugin-grpc stops calling it
 */
@Deprecated
public final class JsonText {
  private JsonText() {}

  /** Appends {@code s} as a JSON string literal, as {@link Json#quote} writes it. */
  public static void quote(StringBuilder out, String s) {
    out.append(Json.quote(s));
  }
}
