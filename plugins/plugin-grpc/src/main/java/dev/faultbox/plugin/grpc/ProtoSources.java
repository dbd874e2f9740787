package dev.faultbox.plugin.grpc;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.faultbox.plugin.support.Failures;
import dev.faultbox.spi.InvalidMockException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Compiles a spec's {@code protos = [...]} ({@code .proto} files and globs, relative to the spec's
 * directory) into a {@link Schema} with {@link Protoc}, when the spec loads.
 *
 * <p>Compiled schemas are cached in memory, bounded, by a hash of the compiler, the import paths
 * and the input files' names and contents; an entry also remembers the hash of every file protoc
 * read through an import, and is used only while they are all unchanged. So a spec loaded again,
 * or many specs of one run over the same protos, compile once, and an edited import is noticed.
 */
final class ProtoSources {

  /** How many compiles ran, for tests of the cache. */
  static final AtomicInteger COMPILES = new AtomicInteger();

  private static final int CACHE_ENTRIES = 32;
  /** Bounds on a glob's walk: deeper or bigger trees are not proto directories. */
  private static final int MAX_DEPTH = 32;
  private static final int MAX_FILES = 10_000;
  /** protoc's gcc-style message: {@code file:line:col: text}. */
  private static final Pattern LOCATED = Pattern.compile("^(.+?):(\\d+):(\\d+): (.*)$");

  /** The built files, not a Schema: its origin names the patterns as each spec wrote them. */
  private record Entry(Map<Path, String> dependencies, List<FileDescriptor> files) {}

  private static final Map<String, Entry> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      return size() > CACHE_ENTRIES;
    }
  };

  private ProtoSources() {}

  /**
   * The schema of {@code protos}, found under {@code importPaths} (the spec's directory when
   * empty); both relative to {@code specDirectory}.
   *
   * @throws InvalidMockException naming the pattern or the {@code .proto} file and line at fault
   */
  static Schema load(Path specDirectory, List<String> protos, List<String> importPaths) throws InvalidMockException {
    Path base = (specDirectory == null ? Path.of(".") : specDirectory).toAbsolutePath().normalize();
    List<Path> roots = new ArrayList<>();
    for (String importPath : importPaths.isEmpty() ? List.of(".") : importPaths) {
      Path root = resolve(base, importPath, "import_paths");
      if (!Files.isDirectory(root)) {
        throw new InvalidMockException("import_paths \"" + importPath + "\": no such directory ("
            + display(base, root) + ")");
      }
      roots.add(root);
    }
    Set<Path> files = new LinkedHashSet<>();
    for (String pattern : protos) {
      files.addAll(expand(base, pattern));
    }
    List<String> inputs = new ArrayList<>();
    List<String> contents = new ArrayList<>();
    Map<Path, String> inputHashes = new LinkedHashMap<>();
    for (Path file : files) {
      Path root = roots.stream().filter(file::startsWith).findFirst().orElseThrow(() -> new InvalidMockException(
          "protos: " + display(base, file) + " is not under any of import_paths (" + displayAll(base, roots)
              + "); add the directory its imports are relative to"));
      inputs.add(slashes(root.relativize(file)));
      String contentHash = hash(read(base, file));
      contents.add(contentHash);
      inputHashes.put(file, contentHash);
    }
    Protoc.Installation protoc = Protoc.get();
    List<String> protocPaths = roots.stream().map(r -> display(base, r)).toList();
    String origin = "protos " + quoted(protos);
    // Absolute import paths, not the spec's directory: specs in different directories that name
    // the same protos share the compile.
    MessageDigest key = sha256();
    update(key, protoc.version());
    roots.forEach(r -> update(key, r.toString()));
    update(key, "--");
    for (int i = 0; i < inputs.size(); i++) {
      update(key, inputs.get(i));
      update(key, contents.get(i));
    }
    String cacheKey = java.util.HexFormat.of().formatHex(key.digest());
    synchronized (CACHE) {
      Entry cached = CACHE.get(cacheKey);
      if (cached != null && unchanged(cached.dependencies())) {
        return new Schema(origin, cached.files());
      }
      COMPILES.incrementAndGet();
      byte[] bytes;
      try {
        bytes = Protoc.compile(protoc, base, protocPaths, inputs);
      } catch (Protoc.CompileError e) {
        throw new InvalidMockException("protos: " + explain(e.lines, protocPaths));
      }
      FileDescriptorSet set;
      try {
        set = FileDescriptorSet.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        throw new InvalidMockException("protos: protoc wrote no FileDescriptorSet (" + Failures.oneLine(e) + ")");
      }
      List<FileDescriptor> built = DescriptorSets.build(set.getFileList(), origin);
      Map<Path, String> dependencies = new LinkedHashMap<>(inputHashes);
      for (FileDescriptorProto file : set.getFileList()) {
        for (Path root : roots) {
          Path candidate = root.resolve(file.getName()).normalize();
          if (Files.isRegularFile(candidate)) {
            dependencies.computeIfAbsent(candidate, p -> hashOrEmpty(p));
            break;
          }
        }
      }
      CACHE.put(cacheKey, new Entry(Map.copyOf(dependencies), List.copyOf(built)));
      return new Schema(origin, built);
    }
  }

  /** One line for the user: protoc's first located error (file:line:col: text), and how many more. */
  static String explain(List<String> lines, List<String> importPaths) {
    String first = null;
    int located = 0;
    for (String line : lines) {
      if (LOCATED.matcher(line).matches()) {
        located++;
        if (first == null) {
          first = line;
        }
      }
    }
    if (first == null) {
      first = lines.get(0);
      located = 1;
    }
    String text = first.endsWith(".") ? first.substring(0, first.length() - 1) : first;
    if (text.contains("was not found or had errors")) {
      text += " (import_paths: " + String.join(", ", importPaths) + ", then the bundled google/protobuf, "
          + "google/rpc, google/type and google/api protos)";
    }
    if (located > 1) {
      text += " (and " + (located - 1) + " more " + (located == 2 ? "error" : "errors") + ")";
    }
    return text;
  }

  /** The files a pattern names: one path, or a glob of {@code *}, {@code ?} and {@code **}. */
  private static List<Path> expand(Path base, String pattern) throws InvalidMockException {
    if (pattern.isBlank()) {
      throw new InvalidMockException("protos: an entry is empty; list .proto files or globs such as \"./proto/**/*.proto\"");
    }
    String normalized = pattern.replace('\\', '/');
    String[] segments = normalized.split("/", -1);
    int firstGlob = 0;
    while (firstGlob < segments.length && !isGlob(segments[firstGlob])) {
      firstGlob++;
    }
    if (firstGlob == segments.length) {
      Path file = resolve(base, pattern, "protos");
      if (!Files.isRegularFile(file)) {
        throw new InvalidMockException("protos \"" + pattern + "\": no such file (" + display(base, file) + ")");
      }
      return List.of(file);
    }
    String prefix = String.join("/", Arrays.copyOfRange(segments, 0, firstGlob));
    Path dir = resolve(base, prefix.isEmpty() ? "." : prefix, "protos");
    Pattern glob = Pattern.compile(globRegex(String.join("/", Arrays.copyOfRange(segments, firstGlob, segments.length))));
    List<Path> matches = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> walk = Files.walk(dir, MAX_DEPTH)) {
        int seen = 0;
        for (Path p : (Iterable<Path>) walk::iterator) {
          if (++seen > MAX_FILES) {
            throw new InvalidMockException("protos \"" + pattern + "\": more than " + MAX_FILES + " entries under "
                + display(base, dir) + "; start the glob in the directory that holds the protos");
          }
          if (Files.isRegularFile(p) && glob.matcher(slashes(dir.relativize(p))).matches()) {
            matches.add(p.normalize());
          }
        }
      } catch (IOException | java.io.UncheckedIOException e) {
        throw new InvalidMockException("protos \"" + pattern + "\": cannot list " + display(base, dir) + " ("
            + Failures.oneLine(e) + ")");
      }
    }
    if (matches.isEmpty()) {
      throw new InvalidMockException("protos \"" + pattern + "\" matches no file (looked in "
          + display(base, dir) + (Files.isDirectory(dir) ? ")" : ", which does not exist)"));
    }
    matches.sort(null);
    return matches;
  }

  private static boolean isGlob(String segment) {
    return segment.contains("*") || segment.contains("?");
  }

  /** {@code **}/ is any number of directories (none too), {@code *} and {@code ?} stay within one. */
  static String globRegex(String glob) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < glob.length()) {
      char c = glob.charAt(i);
      if (glob.startsWith("**/", i)) {
        out.append("(?:.*/)?");
        i += 3;
      } else if (glob.startsWith("**", i)) {
        out.append(".*");
        i += 2;
      } else if (c == '*') {
        out.append("[^/]*");
        i++;
      } else if (c == '?') {
        out.append("[^/]");
        i++;
      } else {
        out.append(Pattern.quote(String.valueOf(c)));
        i++;
      }
    }
    return out.toString();
  }

  private static Path resolve(Path base, String path, String key) throws InvalidMockException {
    try {
      return base.resolve(path).normalize();
    } catch (InvalidPathException e) {
      throw new InvalidMockException(key + " \"" + path + "\" is not a valid path");
    }
  }

  /** A path as the user wrote it: relative to the spec's directory when under it. */
  private static String display(Path base, Path path) {
    if (path.startsWith(base)) {
      String relative = slashes(base.relativize(path));
      return relative.isEmpty() ? "." : relative;
    }
    return path.toString();
  }

  private static String displayAll(Path base, List<Path> paths) {
    return String.join(", ", paths.stream().map(p -> display(base, p)).toList());
  }

  private static String slashes(Path path) {
    return path.toString().replace('\\', '/');
  }

  private static String quoted(List<String> values) {
    return "[" + String.join(", ", values.stream().map(v -> "\"" + v + "\"").toList()) + "]";
  }

  private static byte[] read(Path base, Path file) throws InvalidMockException {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InvalidMockException("protos: cannot read " + display(base, file) + " (" + Failures.oneLine(e) + ")");
    }
  }

  private static boolean unchanged(Map<Path, String> dependencies) {
    for (Map.Entry<Path, String> e : dependencies.entrySet()) {
      if (!hashOrEmpty(e.getKey()).equals(e.getValue())) {
        return false;
      }
    }
    return true;
  }

  private static String hashOrEmpty(Path file) {
    try {
      return hash(Files.readAllBytes(file));
    } catch (IOException e) {
      return "";
    }
  }

  private static String hash(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private static void update(MessageDigest digest, String value) {
    digest.update(value.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
