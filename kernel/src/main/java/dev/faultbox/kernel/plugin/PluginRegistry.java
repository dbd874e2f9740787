package dev.faultbox.kernel.plugin;

import dev.faultbox.kernel.Logging;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StarlarkLibrary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The protocol plugins found on the class path with {@link ServiceLoader}. A plugin built against
 * another SPI version, or one whose service entry cannot be loaded, is skipped and reported by
 * name; the others still load.
 */
public final class PluginRegistry {

  /** A plugin that was found but not used, and why. */
  public record Skipped(String name, String reason) {}

  private final Map<String, MockProtocol> byProtocol = new TreeMap<>();
  private final List<MockProtocol> plugins = new ArrayList<>();
  private final List<Skipped> skipped = new ArrayList<>();

  /** Loads the plugins visible to {@code loader}. */
  public static PluginRegistry load(ClassLoader loader) {
    Logging.install(); // before any plugin's transport can log
    PluginRegistry r = new PluginRegistry();
    Iterator<MockProtocol> it = ServiceLoader.load(MockProtocol.class, loader).iterator();
    while (true) {
      MockProtocol p;
      try {
        if (!it.hasNext()) {
          break;
        }
        p = it.next();
      } catch (ServiceConfigurationError | LinkageError e) {
        r.skipped.add(new Skipped(providerName(e), rootMessage(e)));
        continue;
      }
      r.add(p);
    }
    return r;
  }

  /** A registry of exactly these plugins (tests). */
  public static PluginRegistry of(MockProtocol... protocols) {
    PluginRegistry r = new PluginRegistry();
    for (MockProtocol p : protocols) {
      r.add(p);
    }
    return r;
  }

  private void add(MockProtocol p) {
    String name = p.getClass().getName();
    int version;
    Set<String> protocols;
    try {
      version = p.spiVersion();
      protocols = version == SpiVersion.CURRENT ? Set.copyOf(p.protocols()) : Set.of();
      p.id();
    } catch (RuntimeException | LinkageError e) {
      skipped.add(new Skipped(name, rootMessage(e)));
      return;
    }
    if (version != SpiVersion.CURRENT) {
      skipped.add(new Skipped(name, "built for SPI version " + version + ", this Faultbox speaks " + SpiVersion.CURRENT));
      return;
    }
    for (String protocol : new java.util.TreeSet<>(protocols)) {
      MockProtocol prior = byProtocol.putIfAbsent(protocol, p);
      if (prior != null && prior != p) {
        skipped.add(new Skipped(name, "protocol \"" + protocol + "\" is already served by " + prior.id()));
      }
    }
    plugins.add(p);
  }

  public Optional<MockProtocol> find(String protocol) {
    return Optional.ofNullable(byProtocol.get(protocol));
  }

  /** Protocol names served, sorted. */
  public List<String> protocols() {
    return List.copyOf(byProtocol.keySet());
  }

  public List<MockProtocol> plugins() {
    return Collections.unmodifiableList(plugins);
  }

  public List<Skipped> skipped() {
    return Collections.unmodifiableList(skipped);
  }

  /** Starlark files shipped by plugins, by path under {@code @faultbox/}. */
  public Map<String, String> libraries() {
    Map<String, String> out = new LinkedHashMap<>();
    for (MockProtocol p : plugins) {
      for (StarlarkLibrary lib : p.libraries()) {
        out.putIfAbsent(lib.path(), lib.source());
      }
    }
    return out;
  }

  /** The version in the plugin jar's manifest, or {@code dev} when run from classes. */
  public static String version(MockProtocol p) {
    String v = p.getClass().getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Where the plugin was loaded from: its jar's file name. */
  public static String origin(MockProtocol p) {
    try {
      var src = p.getClass().getProtectionDomain().getCodeSource();
      if (src == null) {
        return "?";
      }
      String path = src.getLocation().getPath();
      return path.substring(path.replaceAll("/$", "").lastIndexOf('/') + 1);
    } catch (SecurityException e) {
      return "?";
    }
  }

  private static String providerName(Throwable e) {
    String m = String.valueOf(e.getMessage());
    // "dev.faultbox.spi.MockProtocol: Provider x.Y could not be instantiated"
    int i = m.indexOf("Provider ");
    if (i >= 0) {
      String rest = m.substring(i + "Provider ".length());
      int sp = rest.indexOf(' ');
      return sp > 0 ? rest.substring(0, sp) : rest;
    }
    return "unknown plugin";
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    String own = e.getMessage();
    if (t == e || m == null) {
      return String.valueOf(own);
    }
    return own + " (" + t.getClass().getSimpleName() + ": " + m + ")";
  }
}
