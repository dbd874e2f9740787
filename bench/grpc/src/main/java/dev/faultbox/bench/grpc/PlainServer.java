package dev.faultbox.bench.grpc;

import dev.faultbox.bench.grpc.flags.Flag;
import dev.faultbox.bench.grpc.flags.FlagsGrpc;
import dev.faultbox.bench.grpc.flags.GetFlagRequest;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The baseline of bench/run-grpc.sh: the Flags service written by hand with grpc-java, as a
 * person would write it, answering every call with the same Flag.
 *
 * <pre>java -cp grpc-bench.jar dev.faultbox.bench.grpc.PlainServer PORT [direct|pool]</pre>
 *
 * <p>It listens on 127.0.0.1 only, with grpc-java's Netty transport and its default event loops.
 * The handler never blocks, so by default it runs on the transport threads
 * ({@code directExecutor()}), which is what grpc-java advises for non-blocking services and the
 * fastest way to serve them. {@code pool} keeps grpc-java's out-of-the-box executor (a cached
 * thread pool, one hand-off per call) for comparison.
 */
public final class PlainServer {

  /** The one reply, the same as the Faultbox mock's in bench/specs/grpc-flags.star. */
  static final Flag FLAG =
      Flag.newBuilder()
          .setName("checkout")
          .setEnabled(true)
          .setVariant("B")
          .setRolloutPercent(50)
          .addTags("web")
          .addTags("beta")
          .build();

  /** How many Flags a Watch call streams, as the mock's grpc.stream script has them. */
  static final int WATCH_MESSAGES = 1_000;

  static final class FlagsService extends FlagsGrpc.FlagsImplBase {
    @Override
    public void get(GetFlagRequest request, StreamObserver<Flag> responseObserver) {
      responseObserver.onNext(FLAG);
      responseObserver.onCompleted();
    }

    @Override
    public void watch(GetFlagRequest request, StreamObserver<Flag> responseObserver) {
      for (int i = 0; i < WATCH_MESSAGES; i++) {
        responseObserver.onNext(FLAG);
      }
      responseObserver.onCompleted();
    }

    @Override
    public StreamObserver<Flag> chat(StreamObserver<Flag> responseObserver) {
      return new StreamObserver<>() {
        @Override
        public void onNext(Flag value) {
          responseObserver.onNext(FLAG);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          responseObserver.onCompleted();
        }
      };
    }
  }

  private PlainServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: PlainServer PORT [direct|pool]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    String executor = args.length > 1 ? args[1] : "direct";
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(new FlagsService());
    switch (executor) {
      case "direct" -> builder.directExecutor();
      case "pool" -> { } // grpc-java's default executor
      default -> {
        System.err.println("executor must be 'direct' or 'pool', got '" + executor + "'");
        System.exit(2);
      }
    }
    Server server = builder.build().start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.shutdown();
                  try {
                    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                      server.shutdownNow();
                    }
                  } catch (InterruptedException e) {
                    server.shutdownNow();
                    Thread.currentThread().interrupt();
                  }
                },
                "plain-server-shutdown"));
    System.out.println("plain gRPC server on 127.0.0.1:" + port + " (executor: " + executor + ")");
    server.awaitTermination();
  }
}
