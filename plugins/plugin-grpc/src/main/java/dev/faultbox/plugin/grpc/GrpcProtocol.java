package dev.faultbox.plugin.grpc;

import dev.faultbox.plugin.support.EventLoops;
import dev.faultbox.plugin.support.StarFiles;
import dev.faultbox.plugin.support.Ports;
import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StarlarkLibrary;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.spi.TlsIdentity;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServiceDescriptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code grpc} plugin: unary and streaming gRPC mocks on grpc-java's Netty transport
 * ({@code interface("main", "grpc", 50051)}; streams in {@link StreamCall}), the {@code call} and
 * {@code stream} steps, and its Starlark files: the prelude with {@code grpc_response},
 * {@code grpc_error}, {@code grpc_raw_response}, {@code grpc_stream}, {@code grpc_collect} and
 * {@code grpc_dynamic}, and {@code @faultbox/mocks/grpc.star} and {@code @faultbox/recipes/grpc.star}.
 *
 * <p>Without {@code config["descriptors"]} or {@code config["protos"]} a mock is untyped: replies
 * are {@code google.protobuf.Struct}s. With one (a protoc FileDescriptorSet, or .proto sources
 * that {@link ProtoSources} compiles, relative to the spec's directory) replies are encoded against each method's output type when the spec loads, requests
 * to dynamic handlers are decoded with the input type, and the mock serves server reflection (v1
 * and v1alpha) listing the set's services. Routes are {@code /pkg.Svc/Method}, {@code /pkg.Svc/*}
 * and {@code /**}, most specific first (see {@link RouteTable}). Servers and the step's channels
 * run on plugin support's event loops, made on the threads the kernel lends. The same port takes
 * gRPC-Web and Connect calls, over HTTP/1.1 and HTTP/2, served through an in-process server with
 * the same handlers (see {@link WebCalls}).
 */
public final class GrpcProtocol implements MockProtocol, ProtocolFactory {

  static final String GRPC = "grpc";

  /** Where the plugin's Starlark files live, relative to this class. */

  /** Names the in-process servers, one per running mock. */
  private static final AtomicLong IN_PROCESS_IDS = new AtomicLong();

  /** How long {@code close()} waits for the server and its port. */
  private static final long CLOSE_WAIT_MS = 10_000;

  /** One step for every grpc interface, so reflection answers are cached across calls. */
  private final CallStep callStep = new CallStep();
  private final List<StarlarkLibrary> libraries = List.of(
      StarFiles.prelude(GrpcProtocol.class, "prelude/grpc.star"), StarFiles.library(GrpcProtocol.class, "mocks/grpc.star"),
      StarFiles.library(GrpcProtocol.class, "recipes/grpc.star"));

  @Override
  public int spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public String id() {
    return GRPC;
  }

  @Override
  public List<String> protocolNames() {
    return List.of(GRPC);
  }

  @Override
  public List<ProtocolFactory> protocols() {
    return List.of(this);
  }

  @Override
  public List<StarlarkLibrary> libraries() {
    return libraries;
  }

  /** Forgets the step's reflection answers and parsed descriptor sets, and stops the event loops. */
  @Override
  public void close() {
    callStep.forget();
    DescriptorSets.forget();
    EventLoops.shutdown();
  }

  @Override
  public String name() {
    return GRPC;
  }

  @Override
  public String urlScheme(boolean tls) {
    return tls ? "https" : "http";
  }

  @Override
  public boolean supportsTls() {
    return true;
  }

  @Override
  public FaultModel faultModel() {
    return Codes.FAULT_MODEL;
  }

  @Override
  public PreparedMock prepare(MockDefinition definition) throws InvalidMockException {
    return GrpcSettings.of(definition);
  }

  @Override
  public MockServer start(PreparedMock prepared, MockContext context) throws Exception {
    if (!(prepared instanceof GrpcSettings settings)) {
      throw new IllegalArgumentException("the grpc plugin did not prepare " + prepared.definition().service());
    }
    MockDefinition definition = settings.definition();
    Optional<TlsIdentity> identity = context.tls();
    if (definition.tls() && identity.isEmpty()) {
      throw new InvalidMockException("tls=True, but the kernel gave " + definition.service() + " no TLS identity");
    }
    Dispatcher dispatcher = new Dispatcher(context, settings);
    SslContext tls = identity.isPresent() ? sslContext(identity.get()) : null;
    // gRPC-Web and Connect calls are served by the same handlers, reached in-process.
    String inProcessName = "faultbox-grpc-" + definition.service() + "." + definition.iface().name() + "-"
        + IN_PROCESS_IDS.incrementAndGet();
    Server inProcess = null;
    ManagedChannel webChannel = null;
    Server server = null;
    boolean started = false;
    try { // whatever fails on the way (a bind, or a RuntimeException), nothing started stays running
      inProcess = serving(InProcessServerBuilder.forName(inProcessName), dispatcher, settings)
          .intercept(WebCalls.marker())
          .build()
          .start();
      webChannel = InProcessChannelBuilder.forName(inProcessName).directExecutor()
          .maxInboundMessageSize(Integer.MAX_VALUE) // the mock's limit is on requests, as on the wire
          .build();
      WebCalls web = new WebCalls(webChannel, context, settings);
      InetSocketAddress at = new InetSocketAddress(context.bindAddress(), definition.iface().port());
      EventLoopGroup loops = EventLoops.group(context.threads());
      NettyServerBuilder builder = serving(NettyServerBuilder.forAddress(at), dispatcher, settings)
          .bossEventLoopGroup(loops)
          .workerEventLoopGroup(loops)
          .channelType(NioServerSocketChannel.class)
          // grpc-java's handshake timer would end HTTP/1.1 (gRPC-Web, Connect) connections, which never
          // send HTTP/2 SETTINGS: off (no timer at Long.MAX_VALUE); Http1Front bounds the handshake.
          .handshakeTimeout(Long.MAX_VALUE, TimeUnit.MILLISECONDS)
          .protocolNegotiator(RequestCheck.negotiator(tls, dispatcher, web));
      server = builder.build();
      try {
        server.start();
      } catch (IOException e) {
        BindException bind = bindException(e);
        if (bind != null) {
          throw bind;
        }
        throw e;
      }
      InetSocketAddress bound = at;
      for (SocketAddress address : server.getListenSockets()) {
        if (address instanceof InetSocketAddress inet) {
          bound = inet;
          break;
        }
      }
      context.logger().debug("{}: grpc mock listening on {}{}{}", dispatcher.name(), bound,
          settings.schema() != null ? " (typed, reflection)" : "", identity.isPresent() ? " (TLS)" : "");
      Running running = new Running(server, inProcess, webChannel, bound, context);
      started = true;
      return running;
    } finally {
      if (!started) {
        if (server != null) {
          server.shutdownNow();
        }
        if (webChannel != null) {
          webChannel.shutdownNow();
        }
        if (inProcess != null) {
          inProcess.shutdownNow();
        }
      }
    }
  }

  @Override
  public Map<String, StepMethod> steps() {
    return Map.of("call", callStep, "stream", callStep.streamStep());
  }

  /** What the Netty and the in-process server share: the mock's handlers, its tracer and its limit. */
  private static <T extends ServerBuilder<T>> T serving(T builder, Dispatcher dispatcher, GrpcSettings settings) {
    builder.directExecutor()
        .fallbackHandlerRegistry(dispatcher.registry())
        .addStreamTracerFactory(dispatcher.tracer())
        .maxInboundMessageSize(settings.maxMessageBytes());
    if (settings.schema() != null) {
      for (ServiceDescriptor service : settings.services()) {
        builder.addService(dispatcher.service(service));
      }
      builder.addService(ProtoReflectionServiceV1.newInstance());
      builder.addService(v1alphaReflection());
    }
    return builder;
  }

  @SuppressWarnings("deprecation")
  private static io.grpc.BindableService v1alphaReflection() {
    return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
  }

  /** TLS with the identity's key and chain; ALPN offers h2 (gRPC) and http/1.1 (gRPC-Web and Connect). */
  static SslContext sslContext(TlsIdentity identity) throws IOException {
    SslContextBuilder builder =
        SslContextBuilder.forServer(identity.key(), identity.chain().toArray(new X509Certificate[0]));
    return GrpcSslContexts.configure(builder, SslProvider.JDK)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
        .build();
  }

  /** The BindException grpc-java wraps in "Failed to bind to address". */
  static BindException bindException(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof BindException bind) {
        return bind;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    String message = error.getMessage();
    if (message != null && message.startsWith("Failed to bind") && error.getCause() != null
        && String.valueOf(error.getCause().getMessage()).toLowerCase(java.util.Locale.ROOT).contains("address already in use")) {
      BindException bind = new BindException(error.getCause().getMessage());
      bind.initCause(error.getCause());
      return bind;
    }
    return null;
  }

  /** A running mock. */
  private static final class Running implements MockServer {
    private final Server server;
    private final Server inProcess;
    private final ManagedChannel webChannel;
    private final InetSocketAddress address;
    private final MockContext context;
    private final AtomicBoolean closed = new AtomicBoolean();

    Running(Server server, Server inProcess, ManagedChannel webChannel, InetSocketAddress address, MockContext context) {
      this.server = server;
      this.inProcess = inProcess;
      this.webChannel = webChannel;
      this.address = address;
      this.context = context;
    }

    @Override
    public InetSocketAddress address() {
      return address;
    }

    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      server.shutdownNow();
      webChannel.shutdownNow();
      inProcess.shutdownNow();
      try {
        if (!server.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
          context.logger().warn("grpc mock on {} did not stop within {}ms", address, CLOSE_WAIT_MS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      // The listener is closed by now; return once the port can be bound again.
      Ports.awaitReleased(address, true);
    }
  }
}
