package dev.faultbox.kernel.plugin;

import dev.faultbox.kernel.Logging;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StarlarkLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The protocol plugins found with {@link ServiceLoader}, and the protocols they serve. A plugin
 * built against another SPI version, or one whose service entry cannot be loaded, is skipped and
 * reported by name; the others still load. When two plugins claim one protocol the first found
 * serves it and the second is named in a warning.
 */
public final class PluginRegistry implements AutoCloseable {

  /** A plugin that was found but not used, and why. */
  public record Skipped(String name, String reason) {}

  // A protocol's plugin is known at discovery; its factory is made when a spec first uses it.
  private final Map<String, MockProtocol> claims = new TreeMap<>();
  private final Map<String, ProtocolFactory> byProtocol = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<ProtocolFactory, MockProtocol> owners = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
  private final java.util.Set<MockProtocol> resolved = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Map<MockProtocol, String> failures = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<MockProtocol> plugins = new ArrayList<>();
  private final List<Skipped> skipped = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final Map<MockProtocol, Path> directories = new java.util.IdentityHashMap<>();
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  /** Loads the plugins visible to {@code loader}: all on one class path, as in tests. */
  public static PluginRegistry load(ClassLoader loader) {
    Logging.install(); // before any plugin's transport can log
    PluginRegistry r = new PluginRegistry();
    r.discover(loader, null);
    return r;
  }

  /**
   * Loads each directory of {@code pluginsDir} ({@code plugins/<id>/}, its jars) as one plugin in
   * a class loader of its own, sharing only the JDK, the SPI and slf4j with {@code host}.
   * Directories load in name order.
   */
  public static PluginRegistry loadDirectory(Path pluginsDir, ClassLoader host) {
    Logging.install();
    PluginRegistry r = new PluginRegistry();
    List<Path> dirs;
    try (var list = Files.list(pluginsDir)) {
      dirs = list.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      r.skipped.add(new Skipped(pluginsDir.toString(), "cannot list plugins: " + e.getMessage()));
      return r;
    }
    for (Path dir : dirs) {
      try {
        r.discover(PluginClassLoader.of(dir, host), dir);
      } catch (IOException e) {
        r.skipped.add(new Skipped(dir.toString(), "cannot read: " + e.getMessage()));
      }
    }
    return r;
  }

  private void discover(ClassLoader loader, Path directory) {
    Iterator<MockProtocol> it = ServiceLoader.load(MockProtocol.class, loader).iterator();
    while (true) {
      MockProtocol p;
      try {
        if (!it.hasNext()) {
          break;
        }
        p = it.next();
      } catch (ServiceConfigurationError | LinkageError e) {
        skipped.add(new Skipped(providerName(e), rootMessage(e)));
        continue;
      }
      if (directory != null) {
        directories.put(p, directory);
      }
      add(p);
    }
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
    List<String> names;
    String id;
    try {
      version = p.spiVersion();
      names = version == SpiVersion.CURRENT ? List.copyOf(p.protocolNames()) : List.of();
      id = p.id();
    } catch (RuntimeException | LinkageError e) {
      skipped.add(new Skipped(name, rootMessage(e)));
      return;
    }
    if (version != SpiVersion.CURRENT) {
      skipped.add(new Skipped(name, "built for SPI version " + version + ", this Faultbox speaks " + SpiVersion.CURRENT));
      return;
    }
    for (String protocol : names) {
      MockProtocol prior = claims.putIfAbsent(protocol, p);
      if (prior != null) {
        warnings.add("plugin " + id + " also serves protocol \"" + protocol + "\", which plugin "
            + prior.id() + " serves already; " + prior.id() + " keeps it");
      }
    }
    plugins.add(p);
  }

  /**
   * Makes a plugin's factories, the first time one of its protocols is needed: a run pays for the
   * protocols its spec uses. A plugin whose factories fail to come up serves none of them.
   */
  private synchronized void resolve(MockProtocol p) {
    if (!resolved.add(p)) {
      return;
    }
    List<ProtocolFactory> made = new ArrayList<>();
    try {
      for (ProtocolFactory f : p.protocols()) {
        f.name();
        made.add(f);
      }
    } catch (RuntimeException | LinkageError e) {
      failures.put(p, rootMessage(e)); // it serves none of its protocols, and find() says why
      return;
    }
    for (ProtocolFactory f : made) {
      if (claims.get(f.name()) == p) {
        byProtocol.put(f.name(), f);
        owners.put(f, p);
      }
    }
  }

  /** Why the plugin claiming {@code protocol} could not make its factories, if it could not. */
  public Optional<String> failure(String protocol) {
    MockProtocol p = claims.get(protocol);
    return p == null ? Optional.empty() : Optional.ofNullable(failures.get(p)).map(why -> "plugin " + p.id() + " failed: " + why);
  }

  /** The factory serving {@code protocol}, made on first use. */
  public Optional<ProtocolFactory> find(String protocol) {
    MockProtocol p = claims.get(protocol);
    if (p == null) {
      return Optional.empty();
    }
    resolve(p);
    return Optional.ofNullable(byProtocol.get(protocol));
  }

  /** The plugin a factory belongs to. */
  public MockProtocol owner(ProtocolFactory factory) {
    return owners.get(factory);
  }

  /** Protocols a plugin serves here (a protocol another plugin claimed first is not among them). */
  public List<String> protocolsOf(MockProtocol plugin) {
    return claims.entrySet().stream().filter(e -> e.getValue() == plugin).map(Map.Entry::getKey).toList();
  }

  /** Every fault matcher some installed protocol honours, sorted: what a rule may name (makes every factory). */
  public java.util.SortedSet<String> matcherNames() {
    return acrossFaultModels(model -> model.matchers().keySet());
  }

  /** Every rule option some installed protocol honours ({@code after}, {@code per_message}...), sorted (makes every factory). */
  public java.util.SortedSet<String> ruleOptionNames() {
    return acrossFaultModels(model -> model.options().keySet());
  }

  private java.util.SortedSet<String> acrossFaultModels(
      java.util.function.Function<dev.faultbox.spi.FaultModel, java.util.Set<String>> names) {
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    for (String protocol : claims.keySet()) {
      find(protocol).ifPresent(f -> out.addAll(names.apply(f.faultModel())));
    }
    return out;
  }

  /** Two plugins claiming one protocol, and who keeps it. */
  public List<String> warnings() {
    return Collections.unmodifiableList(warnings);
  }

  /** Closes every plugin once, when the run ends; a plugin that fails to close is logged. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (MockProtocol p : plugins) {
      try {
        p.close();
      } catch (Exception | LinkageError e) {
        org.slf4j.LoggerFactory.getLogger(PluginRegistry.class).warn("closing plugin {}: {}", p.id(), e.toString());
      }
    }
  }

  /** Protocol names served, sorted. */
  public List<String> protocols() {
    return List.copyOf(claims.keySet());
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

  /** The plugins' prelude files, whose public names every spec sees without a load. */
  public List<StarlarkLibrary> preludes() {
    return plugins.stream().flatMap(p -> p.libraries().stream()).filter(StarlarkLibrary::prelude).toList();
  }

  /** The version in the plugin jar's manifest, or {@code dev} when run from classes. */
  public static String version(MockProtocol p) {
    String v = p.getClass().getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Where a plugin was loaded from: its directory, or its jar's file name when on the class path. */
  public String originOf(MockProtocol p) {
    Path dir = directories.get(p);
    return dir != null ? dir.toString() + "/" : origin(p);
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
