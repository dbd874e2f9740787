package dev.faultbox.plugin.grpc;

import dev.faultbox.kernel.tls.TlsAuthority;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockEvent;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Shared helpers: the build's descriptor sets, channels, contexts, event waits. */
final class TestSupport {

  private TestSupport() {}

  /** The test protos' FileDescriptorSets, as files. */
  static final Path DESCRIPTORS = dev.faultbox.fixtures.grpc.Descriptors.directory();

  static final String GEO = "/inDriver.geo_config.GeoConfigService/";
  static final String USER = "/inDriver.user.UserService/";

  /** One mock CA for the whole test JVM, as the kernel keeps one per run. */
  static final TlsAuthority CA = TlsAuthority.create();

  /** The definition with its spec directory set to the descriptor sets' directory. */
  static MockDefinition inSpecDir(MockDefinition d) {
    return inSpecDir(d, DESCRIPTORS);
  }

  static MockDefinition inSpecDir(MockDefinition d, Path dir) {
    return new MockDefinition(d.service(), d.iface(), d.routes(), d.defaultResponse(), d.tls(), d.config(), dir,
        d.declaredAt());
  }

  /** A typed geo-config mock whose GetCity answers Almaty (city 7). */
  static MockDefinition geoCity() {
    return inSpecDir(dev.faultbox.testkit.MockDefinitionBuilder.mock("geo-config", "grpc", 0)
        .config("descriptors", "all_upstreams.pb")
        .route(GEO + "GetCity",
            new dev.faultbox.spi.MockResponse.Structured(java.util.Map.of("name", "Almaty", "city_id", 7)))
        .build());
  }

  /** Prepares and starts, as the kernel does at load and at each test. */
  static MockServer start(MockDefinition definition, MockContext context) throws Exception {
    GrpcProtocol protocol = new GrpcProtocol();
    return protocol.start(protocol.prepare(definition), context);
  }

  /** Servers and channels a test opened, closed after it. */
  static final class Resources implements AutoCloseable {
    private final List<AutoCloseable> open = new ArrayList<>();

    MockServer server(MockDefinition definition, MockContext context) throws Exception {
      MockServer server = start(definition, context);
      open.add(server);
      return server;
    }

    ManagedChannel channel(MockServer server) {
      ManagedChannel channel = plaintext(server.address().getPort());
      open.add(() -> {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
      });
      return channel;
    }

    void add(AutoCloseable resource) {
      open.add(resource);
    }

    @Override
    public void close() throws Exception {
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
      open.clear();
    }
  }

  static ManagedChannel plaintext(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().proxyDetector(a -> null).build();
  }

  /** Whether {@code command} is on the PATH. */
  static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (java.nio.file.Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  /**
   * npm packages ({@code "@grpc/grpc-js@1"}) installed into {@code dir}, once: later runs find
   * them there. False when npm fails or takes over three minutes; its output is in npm-install.log.
   */
  static boolean npmInstalled(Path dir, List<String> packages) throws java.io.IOException, InterruptedException {
    if (packages.stream().allMatch(p -> installedIn(dir, p))) {
      return true;
    }
    java.nio.file.Files.createDirectories(dir);
    List<String> command = new ArrayList<>(List.of("npm", "install", "--no-audit", "--no-fund", "--no-save",
        "--loglevel=error"));
    command.addAll(packages);
    Process npm = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("npm-install.log").toFile()).start();
    if (!npm.waitFor(180, TimeUnit.SECONDS)) {
      npm.destroyForcibly();
      return false;
    }
    return npm.exitValue() == 0 && packages.stream().allMatch(p -> installedIn(dir, p));
  }

  private static boolean installedIn(Path dir, String spec) {
    int at = spec.lastIndexOf('@');
    return java.nio.file.Files.isDirectory(dir.resolve("node_modules").resolve(at > 0 ? spec.substring(0, at) : spec));
  }
}
