package dev.faultbox.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The spec files a {@code faultbox test} command line names: files as given, directories searched. */
final class SpecFiles {
  private SpecFiles() {}

  /**
   * A spec to load.
   *
   * @param path as given, or the directory as given joined with the file's path under it
   * @param directory the directory argument that found it, or null when named itself: a found
   *     file that defines no tests is passed over, a named one is an error
   */
  record SpecFile(String path, String directory) {}

  /** A directory that could not be searched, with why. */
  record Unreadable(String directory, String reason) {}

  /** Every spec of the arguments, in their order; each directory's {@code *.star} files recursively, sorted. */
  static List<SpecFile> expand(List<String> args, List<Unreadable> unreadable) {
    List<SpecFile> out = new ArrayList<>();
    for (String arg : args) {
      Path p = Path.of(arg);
      if (!Files.isDirectory(p)) {
        out.add(new SpecFile(arg, null));
        continue;
      }
      try (Stream<Path> walk = Files.walk(p)) {
        walk.filter(f -> f.getFileName().toString().endsWith(".star") && Files.isRegularFile(f))
            .map(f -> f.normalize().toString())
            .sorted()
            .forEach(f -> out.add(new SpecFile(f, arg)));
      } catch (IOException | UncheckedIOException e) {
        String reason = e instanceof UncheckedIOException u ? u.getCause().toString() : e.toString();
        unreadable.add(new Unreadable(arg, reason));
      }
    }
    return out;
  }
}
