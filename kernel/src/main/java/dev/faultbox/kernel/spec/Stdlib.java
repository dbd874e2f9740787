package dev.faultbox.kernel.spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Starlark library loadable as {@code @faultbox/<path>}: the files of the stdlib jar (listed
 * in its {@code faultbox/stdlib.index}) plus those plugins ship.
 */
public final class Stdlib {
  public static final String PREFIX = dev.faultbox.kernel.frontend.FrontEnd.LIBRARY_PREFIX;
  private static final String ROOT = "faultbox/";

  private final Map<String, String> files;

  private Stdlib(Map<String, String> files) {
    this.files = files;
  }

  /** The stdlib visible to {@code loader}, plus plugin libraries (stdlib files win on a clash). */
  public static Stdlib load(ClassLoader loader, Map<String, String> pluginLibraries) {
    Map<String, String> files = new TreeMap<>();
    try (InputStream index = loader.getResourceAsStream(ROOT + "stdlib.index")) {
      if (index != null) {
        BufferedReader r = new BufferedReader(new InputStreamReader(index, StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
          String path = line.strip();
          if (path.isEmpty() || path.startsWith("#")) {
            continue;
          }
          try (InputStream in = loader.getResourceAsStream(ROOT + path)) {
            if (in != null) {
              files.put(path, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the embedded stdlib: " + e.getMessage(), e);
    }
    pluginLibraries.forEach(files::putIfAbsent);
    return new Stdlib(files);
  }

  /** A stdlib made of exactly these files (tests). */
  public static Stdlib of(Map<String, String> files) {
    return new Stdlib(new LinkedHashMap<>(files));
  }

  private static final java.util.regex.Pattern EXPORT =
      java.util.regex.Pattern.compile("^(?:def )?([A-Za-z][A-Za-z0-9_]*)\\s*(?:=[^=]|\\()", java.util.regex.Pattern.MULTILINE);

  /** The public names a module defines at its top level, in order: what a load() of it may ask for. */
  public java.util.List<String> exports(String path) {
    String source = files.get(path);
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    if (source != null) {
      java.util.regex.Matcher m = EXPORT.matcher(source);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return java.util.List.copyOf(names);
  }

  /** The module that exports {@code name}, for a hint when a spec uses it without loading it. */
  public Optional<String> exporterOf(String name) {
    return files.keySet().stream().filter(p -> exports(p).contains(name)).findFirst();
  }

  /** The source of {@code path} (relative to {@code @faultbox/}). */
  public Optional<String> source(String path) {
    return Optional.ofNullable(files.get(path));
  }

  /** Every file, by path, sorted. */
  public Map<String, String> files() {
    return new TreeMap<>(files);
  }
}
