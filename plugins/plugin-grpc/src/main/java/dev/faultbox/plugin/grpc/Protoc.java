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
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
  private static final String BUNDLED = "protoc/%s/%s";
  /** The platforms this module's pom bundles a protoc for; the refusal names them. */
  static final List<String> BUNDLED_PLATFORMS = List.of("linux-x86_64");
  static final String OVERRIDE_PROPERTY = "faultbox.protoc";
  static final String OVERRIDE_ENV = "FAULTBOX_PROTOC";
  /** Bounds: a spec's protos compile in well under this; a hung compiler must not hang the load. */
  private static final long TIMEOUT_SECONDS = 60;
  /** How long a killed protoc may take to go, so that its temp files are deleted after it. */
  private static final long KILL_WAIT_SECONDS = 5;
  private static final int MAX_STDERR_BYTES = 64 * 1024;
  private static final String COMPLETE = ".complete";

  /** The executable, the bundled include directory, and a hash naming both (for cache keys). */
  record Installation(Path executable, Path includes, String version) {}

  /**
   * What {@link #get} handed out, with what it was made from and what it looked like then, so
   * that a later call notices a changed setting or a binary deleted or replaced under it.
   */
  private record Installed(String override, Installation installation, long size, FileTime modified) {
    boolean current(String wanted) {
      if (!java.util.Objects.equals(override, wanted)) {
        return false;
      }
      try {
        BasicFileAttributes now = Files.readAttributes(installation.executable(), BasicFileAttributes.class,
            LinkOption.NOFOLLOW_LINKS);
        return now.isRegularFile() && now.size() == size && now.lastModifiedTime().equals(modified)
            && Files.isRegularFile(installation.includes().resolve(COMPLETE), LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        return false;
      }
    }
  }

  /** What a failed compile said: protoc's error lines. */
  static final class CompileError extends Exception {
    final List<String> lines;

    CompileError(List<String> lines) {
      super(String.join("\n", lines));
      this.lines = List.copyOf(lines);
    }
  }

  private static volatile Installed installed;

  private Protoc() {}

  /**
   * The installation, unpacked on first use and again when the cached copy went (a temp cleaner
   * under a long-running JVM) or changed; its digest is checked whenever it is unpacked or found.
   */
  static Installation get() throws InvalidMockException {
    String override = System.getProperty(OVERRIDE_PROPERTY);
    if (override == null || override.isBlank()) {
      override = System.getenv(OVERRIDE_ENV);
    }
    if (override != null && override.isBlank()) {
      override = null;
    }
    Installed i = installed;
    if (i != null && i.current(override)) {
      return i.installation();
    }
    synchronized (Protoc.class) {
      i = installed;
      if (i == null || !i.current(override)) {
        Installation made = install(cacheDirectory(), override);
        try {
          BasicFileAttributes attributes = Files.readAttributes(made.executable(), BasicFileAttributes.class);
          i = new Installed(override, made, attributes.size(), attributes.lastModifiedTime());
        } catch (IOException e) {
          throw new InvalidMockException("protos: cannot read " + made.executable() + " (" + Failures.oneLine(e) + ")");
        }
        installed = i;
      }
      return i.installation();
    }
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
    Process process = null;
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
      try {
        process = new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(errors.toFile())
            .start();
      } catch (IOException e) {
        String why = Failures.oneLine(e);
        if (why.contains("error=13")) {
          throw new InvalidMockException("protos: cannot run protoc " + protoc.executable() + " (permission denied; "
              + "its file system may be mounted noexec); set " + OVERRIDE_ENV + " (or -D" + OVERRIDE_PROPERTY
              + ") to a protoc executable elsewhere, or XDG_CACHE_HOME to a directory programs may run from");
        }
        throw e;
      }
      process.getOutputStream().close();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
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
      stop(process);
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

  /** Kills a protoc still running (timed out, or the loading thread was interrupted) and waits for it. */
  private static void stop(Process process) {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroyForcibly();
    boolean interrupted = Thread.interrupted();
    try {
      process.waitFor(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Unpacks the includes (and, without {@code override}, the bundled protoc) under {@code cache},
   * replacing a cached binary whose SHA-256 is not the bundled one's.
   */
  static Installation install(Path cache, String override) throws InvalidMockException {
    Map<String, byte[]> includes = bundledProtos();
    MessageDigest includeHash = sha256();
    for (Map.Entry<String, byte[]> e : includes.entrySet()) {
      includeHash.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      includeHash.update((byte) 0);
      includeHash.update(e.getValue());
    }
    String includesId = HexFormat.of().formatHex(includeHash.digest());
    try {
      Path includeDir = unpackIncludes(cache.resolve("include-" + includesId), includes);
      if (override != null) {
        Path executable = overridden(override);
        return new Installation(executable, includeDir, "override:" + executable + ":" + includesId);
      }
      String platform = platform();
      byte[] binary;
      try (InputStream in = bundled(platform)) {
        binary = in.readAllBytes();
      }
      String binaryId = HexFormat.of().formatHex(sha256().digest(binary));
      Path dir = ours(cache.resolve("protoc-" + binaryId));
      Path executable = dir.resolve(executableName(platform));
      if (!binaryId.equals(digestOrNull(executable))) {
        writeAtomically(executable, binary);
        if (!binaryId.equals(digestOrNull(executable))) {
          throw new InvalidMockException("protos: the protoc unpacked to " + executable + " is not the bundled "
              + "one (something else writes there); remove " + dir + " or set " + OVERRIDE_ENV);
        }
      }
      return new Installation(executable, includeDir, binaryId + ":" + includesId);
    } catch (IOException | UncheckedIOException e) {
      throw new InvalidMockException("protos: cannot unpack the bundled protoc (" + Failures.oneLine(e) + ")");
    }
  }

  /** The executable {@code FAULTBOX_PROTOC} / {@code -Dfaultbox.protoc} names; a bare name is looked up on PATH. */
  private static Path overridden(String override) throws InvalidMockException {
    String setting = OVERRIDE_ENV + " / -D" + OVERRIDE_PROPERTY;
    Path named;
    try {
      named = Path.of(override);
    } catch (InvalidPathException e) {
      throw new InvalidMockException("protos: " + setting + " names \"" + override + "\", which is not a valid path");
    }
    if (named.getNameCount() == 1 && !named.isAbsolute()) {
      String path = System.getenv("PATH");
      for (String entry : path == null ? new String[0] : path.split(java.io.File.pathSeparator)) {
        if (entry.isEmpty()) {
          continue;
        }
        try {
          for (String name : List.of(override, override + ".exe")) {
            Path candidate = Path.of(entry, name).toAbsolutePath();
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
              return candidate;
            }
          }
        } catch (InvalidPathException ignored) {
          // not a directory name; the next PATH entry
        }
      }
      throw new InvalidMockException("protos: " + setting + " names \"" + override + "\", which is not on PATH; "
          + "give the protoc executable's absolute path");
    }
    Path executable = named.toAbsolutePath();
    if (!Files.isRegularFile(executable) || !Files.isExecutable(executable)) {
      throw new InvalidMockException("protos: " + setting + " names \"" + override
          + "\", which is not an executable file");
    }
    return executable;
  }

  /** The bundled executable for {@code platform}, or why there is none and what to do. */
  static InputStream bundled(String platform) throws InvalidMockException {
    InputStream in = Protoc.class.getResourceAsStream(BUNDLED.formatted(platform, executableName(platform)));
    if (in == null) {
      throw new InvalidMockException("protos: the grpc plugin bundles no protoc for " + platform
          + " (only " + String.join(", ", BUNDLED_PLATFORMS) + "); set " + OVERRIDE_ENV + " (or -D"
          + OVERRIDE_PROPERTY + ") to a protoc executable, or build a set with protoc --include_imports "
          + "--descriptor_set_out=... and give descriptors = instead");
    }
    return in;
  }

  private static String executableName(String platform) {
    return platform.startsWith("windows") ? "protoc.exe" : "protoc";
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
   * The per-user cache: {@code $XDG_CACHE_HOME/faultbox} or {@code ~/.cache/faultbox} when that
   * base is absolute (a JVM whose uid has no passwd entry has home "?") and writable, else
   * {@code faultbox-<user>-cache} in the temp directory, the same one every run, so that each run
   * does not leave another copy of protoc behind.
   */
  private static Path cacheDirectory() throws InvalidMockException {
    return cacheDirectory(System.getenv("XDG_CACHE_HOME"), System.getProperty("user.home", ""),
        Path.of(System.getProperty("java.io.tmpdir", "/tmp")).toAbsolutePath());
  }

  static Path cacheDirectory(String xdg, String home, Path temp) throws InvalidMockException {
    List<Path> bases = new ArrayList<>();
    try {
      if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
        bases.add(Path.of(xdg).resolve("faultbox"));
      } else if (!home.isBlank() && Path.of(home).isAbsolute()) {
        bases.add(Path.of(home, ".cache", "faultbox"));
      }
    } catch (InvalidPathException ignored) {
      // not a usable base; the temp directory below
    }
    IOException last = null;
    try {
      String user = System.getProperty("user.name", "");
      if (!user.matches("[A-Za-z0-9._-]+")) {
        user = me(temp).getName().replaceAll("[^A-Za-z0-9._-]", "_"); // a uid without a name: its number
      }
      bases.add(temp.resolve("faultbox-" + user + "-cache"));
    } catch (IOException e) {
      last = e;
    }
    for (Path base : bases) {
      try {
        return ours(ours(base).resolve("grpc-protoc"));
      } catch (IOException e) {
        last = e;
      }
    }
    throw new InvalidMockException("protos: no cache directory to unpack protoc into (" + Failures.oneLine(last)
        + "); set XDG_CACHE_HOME to a directory of yours, or " + OVERRIDE_ENV + " to a protoc executable");
  }

  /**
   * {@code dir}, created if need be, once it is a real directory (not a link) owned by this
   * user, and set to mode 700, so that nobody else can swap the protoc this runs.
   */
  static Path ours(Path dir) throws IOException {
    if (dir.getParent() != null && !Files.isDirectory(dir.getParent())) {
      Files.createDirectories(dir.getParent());
    }
    try {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      // checked below
    } catch (UnsupportedOperationException e) {
      Files.createDirectories(dir); // not POSIX: the parent's permissions apply
      return dir;
    }
    PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attributes.isDirectory()) {
      throw new IOException(dir + " is not a directory");
    }
    if (!attributes.owner().equals(me(dir))) {
      throw new IOException(dir + " belongs to " + attributes.owner().getName() + ", not to this user");
    }
    Set<PosixFilePermission> only = PosixFilePermissions.fromString("rwx------");
    if (!attributes.permissions().equals(only)) {
      Files.setPosixFilePermissions(dir, only);
    }
    return dir;
  }

  private static volatile UserPrincipal me;

  /**
   * This process's user, as the owner of a file it makes in {@code dir} (user.name may be "?" in
   * a container); a directory it cannot write fails here, as it would for the unpack.
   */
  private static UserPrincipal me(Path dir) throws IOException {
    UserPrincipal user = me;
    if (user == null) {
      Path probe = Files.createTempFile(dir, ".owner-", ".tmp");
      try {
        user = Files.getOwner(probe);
      } finally {
        Files.deleteIfExists(probe);
      }
      me = user;
    }
    return user;
  }

  /** The file's SHA-256 when it is a regular file (not a link to one), else null. */
  private static String digestOrNull(Path file) {
    try {
      if (!Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()
          || !Files.isExecutable(file)) {
        return null;
      }
      MessageDigest digest = sha256();
      try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
          digest.update(buffer, 0, n);
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Unpacks into a staging directory renamed onto {@code dir} in one step. Another process may win
   * that race (the rename then fails, "Directory not empty"): its complete copy is as good. A
   * copy a temp cleaner half-deleted (no marker left) is moved aside first.
   */
  private static Path unpackIncludes(Path dir, Map<String, byte[]> files) throws IOException {
    if (Files.isRegularFile(dir.resolve(COMPLETE), LinkOption.NOFOLLOW_LINKS)) {
      return dir;
    }
    Path staging = Files.createTempDirectory(dir.getParent(), "staging-");
    try {
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        Path target = staging.resolve(e.getKey());
        Files.createDirectories(target.getParent());
        Files.write(target, e.getValue());
      }
      Files.createFile(staging.resolve(COMPLETE));
      try {
        Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        if (Files.isRegularFile(dir.resolve(COMPLETE), LinkOption.NOFOLLOW_LINKS)) {
          return dir;
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
          throw e;
        }
        Path stale = Files.createTempDirectory(dir.getParent(), "stale-");
        try {
          Files.move(dir, stale.resolve("old"), StandardCopyOption.ATOMIC_MOVE);
          Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException again) {
          if (!Files.isRegularFile(dir.resolve(COMPLETE), LinkOption.NOFOLLOW_LINKS)) {
            throw again;
          }
        } finally {
          deleteTree(stale);
        }
      }
      return dir;
    } finally {
      if (Files.exists(staging, LinkOption.NOFOLLOW_LINKS)) {
        deleteTree(staging);
      }
    }
  }

  private static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path temp = Files.createTempFile(target.getParent(), "protoc-", ".part");
    try {
      Files.write(temp, bytes);
      try {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx------"));
      } catch (UnsupportedOperationException e) {
        temp.toFile().setExecutable(true, true);
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
