package dev.faultbox.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The kernel and the SPI know no protocol: a plugin owns all of its protocol. */
class NoProtocolNamesTest {
  private static final Pattern NAMED =
      Pattern.compile("\"(grpc|http2|udp|kafka|redis|mongodb|memcached)\"");

  @Test
  void noSourceOfTheKernelOrTheSpiNamesAProtocol() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent(); // the build runs this module from kernel/
    List<String> offenders;
    try (Stream<Path> files = Stream.concat(Files.walk(root.resolve("kernel/src/main")), Files.walk(root.resolve("spi/src/main")))) {
      offenders = files.filter(Files::isRegularFile).filter(f -> {
        try {
          return NAMED.matcher(Files.readString(f)).find();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).map(f -> root.relativize(f).toString()).toList();
    }
    assertThat(offenders).isEmpty();
  }
}
