package dev.faultbox.plugin.grpc;

import dev.faultbox.plugin.support.Failures;
import dev.faultbox.spi.InvalidMockException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The protoc executable the plugin runs to compile {@code protos = [...]}: the one its jar bundles
 * for this platform (the {@code com.google.protobuf:protoc} artifact of the protobuf-java version,
 * copied in by the build), or the one {@code FAULTBOX_PROTOC} / {@code -Dfaultbox.protoc} names.
 * The bundled one is unpacked once into a per-user cache directory named by its content hash, so
 * a changed build never runs a stale binary. Beside it sit the google/protobuf, google/rpc,
 * google/type and google/api {@code .proto} files of the class path's protobuf-java and
 * proto-google-common-protos jars, as the last import path, so specs import them without
 * supplying them.
 */
final class Protoc {

  /** Where the build puts the executable, per platform (os-maven-plugin's classifier names). */
  private static final String BUNDLED = "protoc/%s/protoc";
  static final String OVERRIDE_PROPERTY = "faultbox.protoc";
  static final String OVERRIDE_ENV = "FAULTBOX_PROTOC";
  /** Bounds: a spec's protos compile in well under this; a hung compiler must not hang the load. */
  private static final long TIMEOUT_SECONDS = 60;
  private static final int MAX_STDERR_BYTES = 64 * 1024;

  /** The executable, the bundled include directory, and a hash naming both (for cache keys). */
  record Installation(Path executable, Path includes, String version) {}

  /** What a failed compile said: protoc's error lines. */
  static final class CompileError extends Exception {
    final List<String> lines;

    CompileError(List<String> lines) {
      super(String.join("\n", lines));
      this.lines = List.copyOf(lines);
    }
  }

  private static volatile Installation installed;

  private Protoc() {}

  /** The installation, unpacked on first use. */
  static Installation get() throws InvalidMockException {
    Installation i = installed;
    if (i == null) {
      synchronized (Protoc.class) {
        i = installed;
        if (i == null) {
          i = install();
          installed = i;
        }
      }
    }
    return i;
  }

  /**
   * Compiles {@code inputs} (names relative to an import path) into a FileDescriptorSet with
   * every import, running in {@code workDir} so that protoc's messages name files as the spec
   * does.
   */
  static byte[] compile(Installation protoc, Path workDir, List<String> importPaths, List<String> inputs)
      throws InvalidMockException, CompileError {
    Path out = null;
    Path errors = null;
    try {
      out = Files.createTempFile("faultbox-protoc-", ".pb");
      List<String> command = new ArrayList<>();
      command.add(protoc.executable().toString());
      for (String path : importPaths) {
        command.add("--proto_path=" + path);
      }
      command.add("--proto_path=" + protoc.includes());
      command.add("--include_imports");
      command.add("--descriptor_set_out=" + out);
      command.addAll(inputs);
      // stderr to a file, not a pipe, so that a hung protoc cannot block the wait for it
      errors = Files.createTempFile("faultbox-protoc-", ".err");
      Process process = new ProcessBuilder(command)
          .directory(workDir.toFile())
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(errors.toFile())
          .start();
      process.getOutputStream().close();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new InvalidMockException("protos: protoc did not finish in " + TIMEOUT_SECONDS + " s");
      }
      if (process.exitValue() != 0) {
        byte[] stderr;
        try (InputStream err = Files.newInputStream(errors)) {
          stderr = err.readNBytes(MAX_STDERR_BYTES);
        }
        List<String> lines = new ArrayList<>();
        for (String line : new String(stderr, StandardCharsets.UTF_8).split("\r?\n")) {
          if (!line.isBlank()) {
            lines.add(line.strip());
          }
        }
        if (lines.isEmpty()) {
          lines.add("protoc exited with status " + process.exitValue());
        }
        throw new CompileError(lines);
      }
      return Files.readAllBytes(out);
    } catch (IOException e) {
      throw new InvalidMockException("protos: cannot run protoc " + protoc.executable() + " (" + Failures.oneLine(e) + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InvalidMockException("protos: interrupted while protoc ran");
    } finally {
      for (Path temp : new Path[] {out, errors}) {
        try {
          if (temp != null) {
            Files.deleteIfExists(temp);
          }
        } catch (IOException ignored) {
          // a temp file; the OS cleans its temp directory
        }
      }
    }
  }

  private static Installation install() throws InvalidMockException {
    Map<String, byte[]> includes = bundledProtos();
    MessageDigest includeHash = sha256();
    for (Map.Entry<String, byte[]> e : includes.entrySet()) {
      includeHash.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      includeHash.update((byte) 0);
      includeHash.update(e.getValue());
    }
    String includesId = HexFormat.of().formatHex(includeHash.digest(), 0, 8);
    String override = System.getProperty(OVERRIDE_PROPERTY);
    if (override == null || override.isBlank()) {
      override = System.getenv(OVERRIDE_ENV);
    }
    try {
      Path cache = cacheDirectory();
      Path includeDir = unpackIncludes(cache.resolve("include-" + includesId), includes);
      if (override != null && !override.isBlank()) {
        Path executable = Path.of(override).toAbsolutePath();
        if (!Files.isExecutable(executable)) {
          throw new InvalidMockException("protos: " + OVERRIDE_ENV + " / -D" + OVERRIDE_PROPERTY + " names \""
              + override + "\", which is not an executable file");
        }
        return new Installation(executable, includeDir, "override:" + executable + ":" + includesId);
      }
      byte[] binary;
      try (InputStream in = bundled(platform())) {
        binary = in.readAllBytes();
      }
      String binaryId = HexFormat.of().formatHex(sha256().digest(binary), 0, 8);
      Path executable = cache.resolve("protoc-" + binaryId).resolve("protoc");
      if (!Files.isExecutable(executable) || Files.size(executable) != binary.length
          || !HexFormat.of().formatHex(sha256().digest(Files.readAllBytes(executable)), 0, 8).equals(binaryId)) {
        writeAtomically(executable, binary, true);
      }
      return new Installation(executable, includeDir, binaryId + ":" + includesId);
    } catch (IOException | UncheckedIOException e) {
      throw new InvalidMockException("protos: cannot unpack the bundled protoc (" + Failures.oneLine(e) + ")");
    }
  }

  /** The bundled executable for {@code platform}, or why there is none and what to do. */
  static InputStream bundled(String platform) throws InvalidMockException {
    InputStream in = Protoc.class.getResourceAsStream(BUNDLED.formatted(platform));
    if (in == null) {
      throw new InvalidMockException("protos: the grpc plugin bundles no protoc for " + platform
          + " (only linux-x86_64); set " + OVERRIDE_ENV + " (or -D" + OVERRIDE_PROPERTY + ") to a protoc "
          + "executable, or build a set with protoc --include_imports --descriptor_set_out=... and give "
          + "descriptors = instead");
    }
    return in;
  }

  /** The os-maven-plugin classifier of this machine, e.g. {@code linux-x86_64}. */
  static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String osName = os.startsWith("linux") ? "linux"
        : os.startsWith("mac") || os.startsWith("darwin") ? "osx"
        : os.startsWith("windows") ? "windows"
        : os.replace(' ', '_');
    String archName = switch (arch) {
      case "amd64", "x86_64", "x64" -> "x86_64";
      case "aarch64", "arm64" -> "aarch_64";
      default -> arch;
    };
    return osName + "-" + archName;
  }

  /**
   * The per-user cache: {@code $XDG_CACHE_HOME/faultbox} or {@code ~/.cache/faultbox}, else a
   * directory in the temp directory when home is not writable.
   */
  private static Path cacheDirectory() throws IOException {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
        ? Path.of(xdg)
        : Path.of(System.getProperty("user.home", "."), ".cache");
    Path dir = base.resolve("faultbox").resolve("grpc-protoc");
    try {
      Files.createDirectories(dir);
      try {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      } catch (UnsupportedOperationException ignored) {
        // not POSIX: the home directory's own permissions apply
      }
      if (Files.isWritable(dir)) {
        return dir;
      }
    } catch (IOException ignored) {
      // fall through to the temp directory
    }
    return Files.createTempDirectory("faultbox-grpc-protoc-");
  }

  private static Path unpackIncludes(Path dir, Map<String, byte[]> files) throws IOException {
    if (Files.isRegularFile(dir.resolve(".complete"))) {
      return dir;
    }
    Path staging = Files.createTempDirectory(dir.getParent(), "staging-");
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Path target = staging.resolve(e.getKey());
      Files.createDirectories(target.getParent());
      Files.write(target, e.getValue());
    }
    Files.createFile(staging.resolve(".complete"));
    try {
      Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
      deleteTree(staging); // another process unpacked the same files first
    }
    return dir;
  }

  private static void writeAtomically(Path target, byte[] bytes, boolean executable) throws IOException {
    Files.createDirectories(target.getParent());
    Path temp = Files.createTempFile(target.getParent(), "protoc-", ".part");
    try {
      Files.write(temp, bytes);
      if (executable) {
        try {
          Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
          temp.toFile().setExecutable(true, true);
        }
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * The google/... {@code .proto} files of the jars (or class directories) that hold the
   * well-known types and the common protos, by import name.
   */
  static Map<String, byte[]> bundledProtos() throws InvalidMockException {
    Map<String, byte[]> files = new TreeMap<>();
    for (String marker : List.of("google/protobuf/timestamp.proto", "google/rpc/status.proto")) {
      URL url = Protoc.class.getClassLoader().getResource(marker);
      if (url == null) {
        continue;
      }
      try {
        collect(url, marker, files);
      } catch (IOException | URISyntaxException e) {
        throw new InvalidMockException("protos: cannot read the bundled " + marker + " (" + Failures.oneLine(e) + ")");
      }
    }
    return files;
  }

  private static void collect(URL url, String marker, Map<String, byte[]> files) throws IOException, URISyntaxException {
    URLConnection connection = url.openConnection();
    if (connection instanceof JarURLConnection jar) {
      jar.setUseCaches(false);
      try (JarFile file = jar.getJarFile()) {
        Enumeration<JarEntry> entries = file.entries();
        while (entries.hasMoreElements()) {
          JarEntry entry = entries.nextElement();
          String name = entry.getName();
          if (isGoogleProto(name) && !files.containsKey(name)) {
            try (InputStream in = file.getInputStream(entry)) {
              files.put(name, in.readAllBytes());
            }
          }
        }
      }
    } else if ("file".equals(url.getProtocol())) {
      Path markerFile = Path.of(url.toURI());
      Path root = markerFile;
      for (int i = 0; i < marker.split("/").length; i++) {
        root = root.getParent();
      }
      Path base = root;
      try (Stream<Path> paths = Files.walk(root.resolve("google"), 8)) {
        for (Path p : paths.filter(Files::isRegularFile).toList()) {
          String name = base.relativize(p).toString().replace('\\', '/');
          if (isGoogleProto(name)) {
            files.putIfAbsent(name, Files.readAllBytes(p));
          }
        }
      }
    } else {
      try (InputStream in = url.openStream()) {
        files.putIfAbsent(marker, in.readAllBytes());
      }
    }
  }

  private static boolean isGoogleProto(String name) {
    return name.startsWith("google/") && name.endsWith(".proto") && !name.contains("..");
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
