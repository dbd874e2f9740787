package dev.faultbox.plugin.grpc;

import com.google.protobuf.AnyProto;
import com.google.protobuf.ApiProto;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.EmptyProto;
import com.google.protobuf.FieldMaskProto;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.SourceContextProto;
import com.google.protobuf.StructProto;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.TypeProto;
import com.google.protobuf.WrappersProto;
import dev.faultbox.plugin.support.Failures;
import dev.faultbox.spi.InvalidMockException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads protoc FileDescriptorSets into {@link Schema}s. The well-known types are pre-registered, so
 * a set built without {@code --include_imports} still resolves them. Parsed sets are cached by
 * absolute path, modification time and size, so mocks sharing one set parse it once.
 */
final class DescriptorSets {

  /**
   * The well-known types' files, by the name protoc gives them; in a holder so that building them
   * (some 0.4 s of protobuf class loading) waits for the first gRPC schema, not the plugin's close.
   */
  static final class WellKnown {
    static final Map<String, FileDescriptor> FILES = wellKnown();

    private WellKnown() {}
  }

  private record Key(Path path) {}

  private record Entry(long modifiedMillis, long size, Schema schema) {}

  private static final Map<Key, Entry> CACHE = new ConcurrentHashMap<>();
  /** How many sets were parsed, for tests of the cache. */
  static final AtomicInteger PARSES = new AtomicInteger();

  private DescriptorSets() {}

  /** Drops the parsed sets when the run ends; the next run reads its files afresh. */
  static void forget() {
    CACHE.clear();
  }

  /**
   * The schema of the set at {@code path}.
   *
   * @throws InvalidMockException naming the path: missing, unreadable, not a set, or unresolvable
   */
  static Schema load(Path path) throws InvalidMockException {
    Path absolute = path.toAbsolutePath().normalize();
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(absolute, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new InvalidMockException("descriptors \"" + absolute + "\": no such file");
    } catch (IOException e) {
      throw new InvalidMockException("descriptors \"" + absolute + "\": cannot read it (" + Failures.oneLine(e) + ")");
    }
    if (!attributes.isRegularFile()) {
      throw new InvalidMockException("descriptors \"" + absolute + "\": not a file");
    }
    long modified = attributes.lastModifiedTime().toMillis();
    long size = attributes.size();
    Key key = new Key(absolute);
    Entry cached = CACHE.get(key);
    if (cached != null && cached.modifiedMillis() == modified && cached.size() == size) {
      return cached.schema();
    }
    synchronized (DescriptorSets.class) {
      cached = CACHE.get(key);
      if (cached != null && cached.modifiedMillis() == modified && cached.size() == size) {
        return cached.schema();
      }
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(absolute);
      } catch (IOException e) {
        throw new InvalidMockException("descriptors \"" + absolute + "\": cannot read it (" + Failures.oneLine(e) + ")");
      }
      PARSES.incrementAndGet();
      Schema schema = parse(absolute.toString(), bytes);
      CACHE.put(key, new Entry(modified, size, schema));
      return schema;
    }
  }

  /** Parses a serialized FileDescriptorSet. */
  static Schema parse(String origin, byte[] bytes) throws InvalidMockException {
    FileDescriptorSet set;
    try {
      set = FileDescriptorSet.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw notASet(origin, Failures.oneLine(e));
    }
    if (set.getFileCount() == 0) {
      throw notASet(origin, bytes.length == 0 ? "the file is empty" : "it holds no files");
    }
    if (!set.getUnknownFields().asMap().isEmpty()) {
      throw notASet(origin, "unexpected fields");
    }
    for (FileDescriptorProto file : set.getFileList()) {
      if (file.getName().isEmpty() || !file.getUnknownFields().asMap().isEmpty()) {
        throw notASet(origin, "a file entry is malformed");
      }
    }
    try {
      return new Schema(origin, build(set.getFileList(), origin));
    } catch (InvalidMockException e) {
      throw e;
    }
  }

  private static InvalidMockException notASet(String origin, String why) {
    return new InvalidMockException(
        "descriptors \"" + origin + "\": not a protoc FileDescriptorSet (" + why + "); build one with "
            + "protoc --include_imports --descriptor_set_out=...");
  }

  /**
   * Builds file descriptors from their protos, resolving imports among them and the well-known
   * types.
   *
   * @return the files of {@code protos}, in their order (well-known files they repeat are the
   *     pre-registered ones)
   */
  static List<FileDescriptor> build(Collection<FileDescriptorProto> protos, String origin)
      throws InvalidMockException {
    Map<String, FileDescriptorProto> byName = new LinkedHashMap<>();
    for (FileDescriptorProto proto : protos) {
      byName.putIfAbsent(proto.getName(), proto);
    }
    Map<String, FileDescriptor> built = new LinkedHashMap<>();
    List<FileDescriptor> out = new ArrayList<>();
    for (String name : byName.keySet()) {
      out.add(build(name, byName, built, new HashSet<>(), origin));
    }
    return out;
  }

  private static FileDescriptor build(
      String name,
      Map<String, FileDescriptorProto> byName,
      Map<String, FileDescriptor> built,
      Set<String> visiting,
      String origin)
      throws InvalidMockException {
    FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    FileDescriptor wkt = WellKnown.FILES.get(name);
    if (wkt != null) {
      built.put(name, wkt);
      return wkt;
    }
    FileDescriptorProto proto = byName.get(name);
    if (proto == null) {
      throw new InvalidMockException("descriptors \"" + origin + "\": imports \"" + name
          + "\", which the set does not hold; build it with protoc --include_imports");
    }
    if (!visiting.add(name)) {
      throw new InvalidMockException("descriptors \"" + origin + "\": \"" + name + "\" imports itself");
    }
    FileDescriptor[] dependencies = new FileDescriptor[proto.getDependencyCount()];
    for (int i = 0; i < dependencies.length; i++) {
      dependencies[i] = build(proto.getDependency(i), byName, built, visiting, origin);
    }
    visiting.remove(name);
    try {
      FileDescriptor file = FileDescriptor.buildFrom(proto, dependencies);
      built.put(name, file);
      return file;
    } catch (DescriptorValidationException e) {
      throw new InvalidMockException("descriptors \"" + origin + "\": \"" + name + "\" is invalid: " + Failures.oneLine(e));
    }
  }

  private static Map<String, FileDescriptor> wellKnown() {
    Map<String, FileDescriptor> files = new LinkedHashMap<>();
    for (FileDescriptor file : List.of(
        AnyProto.getDescriptor(),
        ApiProto.getDescriptor(),
        DescriptorProtos.getDescriptor(),
        DurationProto.getDescriptor(),
        EmptyProto.getDescriptor(),
        FieldMaskProto.getDescriptor(),
        SourceContextProto.getDescriptor(),
        StructProto.getDescriptor(),
        TimestampProto.getDescriptor(),
        TypeProto.getDescriptor(),
        WrappersProto.getDescriptor())) {
      files.put(file.getName(), file);
    }
    return Map.copyOf(files);
  }
}
