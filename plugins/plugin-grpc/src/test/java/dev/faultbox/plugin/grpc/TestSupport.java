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
}
