package dev.faultbox.plugin.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.faultbox.spi.InvalidMockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unpacking the bundled protoc into the cache, checking what runs, and running it. */
class ProtocTest {

  @TempDir Path dir;

  @BeforeEach
  void needsProtoc() {
    ProtoSourcesTest.assumeProtoc();
  }

  private static byte[] bundledBytes() throws Exception {
    try (var in = Protoc.bundled(Protoc.platform())) {
      return in.readAllBytes();
    }
  }

  @Test
  void aCorruptOrSymlinkedCachedBinaryIsReplaced() throws Exception {
    Path cache = Protoc.ours(dir.resolve("cache"));
    Path executable = Protoc.install(cache, null).executable();
    byte[] good = bundledBytes();
    assertThat(Files.readAllBytes(executable)).isEqualTo(good);

    byte[] corrupt = good.clone();
    corrupt[corrupt.length / 2] ^= 1; // same size, one bit off
    Files.write(executable, corrupt);
    assertThat(Protoc.install(cache, null).executable()).isEqualTo(executable);
    assertThat(Files.readAllBytes(executable)).isEqualTo(good);

    Path elsewhere = dir.resolve("elsewhere");
    Files.write(elsewhere, good);
    elsewhere.toFile().setExecutable(true, true);
    Files.delete(executable);
    Files.createSymbolicLink(executable, elsewhere);
    Protoc.install(cache, null);
    assertThat(Files.isSymbolicLink(executable)).as("a link is not run, it is replaced").isFalse();
    assertThat(Files.readAllBytes(executable)).isEqualTo(good);
  }

  @Test
  void onlyAnAbsoluteBaseIsUsedElseOneStablePerUserTempDirectory() throws Exception {
    Path xdg = dir.resolve("xdg");
    assertThat(Protoc.cacheDirectory(xdg.toString(), "?", dir)).isEqualTo(xdg.resolve("faultbox/grpc-protoc"));
    Path home = dir.resolve("home");
    assertThat(Protoc.cacheDirectory("relative/cache", home.toString(), dir))
        .isEqualTo(home.resolve(".cache/faultbox/grpc-protoc"));
    // JDK 17 in a container whose uid has no passwd entry: user.home is "?"
    Path first = Protoc.cacheDirectory(null, "?", dir);
    assertThat(first).isAbsolute().startsWith(dir);
    assertThat(first.getParent().getFileName().toString()).matches("faultbox-.+-cache");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.getParent()))).isEqualTo("rwx------");
    assertThat(Protoc.cacheDirectory("", "", dir)).as("the same one every run").isEqualTo(first);
    assertThat(Path.of("?")).doesNotExist();
  }

  @Test
  void aCacheDirectoryIsSetToMode700AndALinkedOneRefused() throws Exception {
    Path open = Files.createDirectory(dir.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    Protoc.ours(open);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(open))).isEqualTo("rwx------");

    Path linked = dir.resolve("linked");
    Files.createSymbolicLink(linked, open);
    assertThat(catchThrowable(() -> Protoc.ours(linked))).hasMessageContaining("is not a directory");
  }

  @Test
  void twoConcurrentFirstUnpacksBothSucceedAndLeaveNoStaging() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 10; round++) {
        Path cache = Protoc.ours(dir.resolve("race-" + round));
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Protoc.Installation>> racers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          racers.add(CompletableFuture.supplyAsync(() -> {
            try {
              start.await();
              return Protoc.install(cache, null);
            } catch (Exception e) {
              throw new RuntimeException(e);
            }
          }, pool));
        }
        start.countDown();
        for (CompletableFuture<Protoc.Installation> racer : racers) {
          Protoc.Installation installation = racer.get(60, TimeUnit.SECONDS);
          assertThat(installation.includes().resolve("google/protobuf/timestamp.proto")).isRegularFile();
        }
        try (Stream<Path> left = Files.list(cache)) {
          assertThat(left.map(p -> p.getFileName().toString()))
              .noneMatch(name -> name.startsWith("staging-") || name.startsWith("stale-") || name.endsWith(".part"));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anOverrideIsRunAndABareNameIsLookedUpOnPath() throws Exception {
    Path cache = Protoc.ours(dir.resolve("cache"));
    Path mine = dir.resolve("my-protoc");
    Files.writeString(mine, "#!/bin/sh\nexit 0\n");
    mine.toFile().setExecutable(true, true);
    assertThat(Protoc.install(cache, mine.toString()).executable()).isEqualTo(mine);

    Path sh = Protoc.install(cache, "sh").executable();
    assertThat(sh).isAbsolute();
    assertThat(sh.getFileName().toString()).isEqualTo("sh");
    assertThat(catchThrowable(() -> Protoc.install(cache, "no-such-protoc-here")))
        .isInstanceOf(InvalidMockException.class)
        .hasMessage("protos: FAULTBOX_PROTOC / -Dfaultbox.protoc names \"no-such-protoc-here\", which is not on "
            + "PATH; give the protoc executable's absolute path");

    System.setProperty(Protoc.OVERRIDE_PROPERTY, mine.toString());
    try {
      assertThat(Protoc.get().executable()).as("get() follows the setting").isEqualTo(mine);
    } finally {
      System.clearProperty(Protoc.OVERRIDE_PROPERTY);
    }
    assertThat(Protoc.get().executable()).isNotEqualTo(mine);
  }

  @Test
  void aCachedBinaryDeletedUnderARunningJvmIsUnpackedAgain() throws Exception {
    // The cache is the test run's own (XDG_CACHE_HOME under target/, set by the build).
    Path executable = Protoc.get().executable();
    Files.delete(executable);
    assertThat(Protoc.get().executable()).isEqualTo(executable);
    assertThat(Files.readAllBytes(executable)).isEqualTo(bundledBytes());
  }

  @Test
  void aProtocThatMayNotRunSaysWhatToSet() throws Exception {
    Protoc.Installation real = Protoc.get();
    Path notExecutable = dir.resolve("protoc");
    Files.write(notExecutable, new byte[] {0x7f, 'E', 'L', 'F'});
    Throwable t = catchThrowable(() -> Protoc.compile(
        new Protoc.Installation(notExecutable, real.includes(), "x"), dir, List.of("."), List.of("a.proto")));
    assertThat(t).isInstanceOf(InvalidMockException.class).hasMessageContaining("noexec")
        .hasMessageContaining("set FAULTBOX_PROTOC");
  }

  @Test
  void anInterruptedLoadKillsProtocBeforeItReturns() throws Exception {
    Protoc.Installation real = Protoc.get();
    Path pidFile = dir.resolve("pid");
    Path hung = dir.resolve("hung-protoc");
    Files.writeString(hung, "#!/bin/sh\necho $$ > '" + pidFile + "'\nexec sleep 60\n");
    hung.toFile().setExecutable(true, true);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread loader = new Thread(() -> failure.set(catchThrowable(() -> Protoc.compile(
        new Protoc.Installation(hung, real.includes(), "x"), dir, List.of("."), List.of("a.proto")))));
    loader.start();
    for (int i = 0; i < 500 && (!Files.exists(pidFile) || Files.size(pidFile) == 0); i++) {
      Thread.sleep(10);
    }
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    loader.interrupt();
    loader.join(20_000);
    assertThat(loader.isAlive()).isFalse();
    assertThat(failure.get()).hasMessage("protos: interrupted while protoc ran");
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    assertThat(process.map(ProcessHandle::isAlive).orElse(false)).as("protoc was killed").isFalse();
    try (Stream<Path> temp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      assertThat(temp.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("faultbox-protoc-"));
    }
    assertThat(Files.exists(hung, LinkOption.NOFOLLOW_LINKS)).isTrue();
  }
}
