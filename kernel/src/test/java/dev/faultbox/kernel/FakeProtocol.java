package dev.faultbox.kernel;

import dev.faultbox.spi.Endpoint;
import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.MockRequest;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.PreparedMock;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.Route;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StepException;
import dev.faultbox.spi.StepMethod;
import dev.faultbox.spi.StepResult;
import dev.faultbox.spi.StarlarkLibrary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * A protocol for kernel tests: binds a real TCP port, and offers steps that emit events, echo
 * values and invoke routes, so specs can be exercised without a real plugin. Its fault model
 * honours {@code op} (a glob) and {@code prefix}, with statuses 1..999 and the name {@code BUSY}
 * for 42; its prelude defines {@code fake_busy()}.
 */
public final class FakeProtocol implements MockProtocol, ProtocolFactory {
  /** How many times close() ran, for lifecycle tests. */
  public static final java.util.concurrent.atomic.AtomicInteger CLOSED = new java.util.concurrent.atomic.AtomicInteger();

  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fake-timer");
    t.setDaemon(true);
    return t;
  });

  /** What is serving each port, for the steps. */
  static final Map<Integer, Map.Entry<MockDefinition, MockContext>> RUNNING = new ConcurrentHashMap<>();

  @Override
  public int spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public String id() {
    return "fake";
  }

  @Override
  public List<ProtocolFactory> protocols() {
    return List.of(this);
  }

  @Override
  public List<StarlarkLibrary> libraries() {
    return List.of(new StarlarkLibrary("prelude/fake.star",
        "def fake_busy(message = \"busy\"):\n    return status_response(code = \"BUSY\", message = message)\n", true));
  }

  @Override
  public void close() {
    CLOSED.incrementAndGet();
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public boolean supportsTls() {
    return true;
  }

  @Override
  public FaultModel faultModel() {
    return new FaultModel(Map.of("op", FaultModel.Match.GLOB, "prefix", FaultModel.Match.PREFIX),
        Map.of("BUSY", 42), 1, 999, 500, 200)
        .withOptions(Map.of("after", new FaultModel.RuleOption(FaultModel.RuleOption.Type.COUNT, java.util.Set.of("error"),
            "replies first")));
  }

  @Override
  public PreparedMock prepare(MockDefinition d) throws InvalidMockException {
    if (d.config().containsKey("bad")) {
      throw new InvalidMockException("fake mock config has no key \"bad\"; accepted: none");
    }
    return PreparedMock.of(d);
  }

  @Override
  public MockServer start(PreparedMock prepared, MockContext ctx) throws IOException {
    MockDefinition d = prepared.definition();
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(ctx.bindAddress(), d.iface().port()));
    RUNNING.put(d.iface().port(), Map.entry(d, ctx));
    return new MockServer() {
      @Override
      public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
      }

      @Override
      public void close() {
        RUNNING.remove(d.iface().port(), Map.entry(d, ctx));
        try {
          socket.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  @Override
  public Map<String, StepMethod> steps() {
    return Map.of(
        "emit", step(List.of("op", "after_ms"), (target, kw) -> {
          var running = running(target);
          String op = (String) kw.getOrDefault("op", "recv");
          long after = ((Number) kw.getOrDefault("after_ms", 0L)).longValue();
          Runnable emit = () -> running.getValue().events().emit(running.getKey().event(op, Map.of("n", 1, "code", "204", "ok", true, "tags", Map.of("env", "prod"))));
          if (after == 0) {
            emit.run();
          } else {
            TIMER.schedule(emit, after, TimeUnit.MILLISECONDS);
          }
          return new StepResult.Value(null);
        }),
        "echo", step(List.of("value"), (target, kw) -> new StepResult.Value(kw.get("value"))),
        "fetch", step(List.of("body", "ok"), (target, kw) -> new StepResult.Response(
            (Boolean) kw.getOrDefault("ok", true), 200,
            ((String) kw.getOrDefault("body", "{\"a\": [1, 2]}")).getBytes(StandardCharsets.UTF_8),
            Map.of("Content-Type", "application/json"), "", 7)),
        "invoke", step(List.of("pattern", "body"), (target, kw) -> {
          var running = running(target);
          String pattern = (String) kw.get("pattern");
          MockResponse r = running.getKey().routes().stream().filter(x -> x.pattern().equals(pattern))
              .map(Route::response).findFirst().orElseThrow(() -> new StepException("no route " + pattern));
          if (r instanceof MockResponse.Dynamic dyn) {
            try {
              r = dyn.handler().handle(new MockRequest("POST", "/p", Map.of("X-A", "1"), Map.of("user", "alice"),
                  ((String) kw.getOrDefault("body", "")).getBytes(StandardCharsets.UTF_8), Map.of()))
                  .toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
              Throwable c = e.getCause() == null ? e : e.getCause();
              return StepResult.Response.failed(c.getMessage(), 0);
            }
          }
          MockResponse.Static s = (MockResponse.Static) r;
          return new StepResult.Response(true, s.status(), s.body(), s.headers(), "", 0);
        }));
  }

  private static Map.Entry<MockDefinition, MockContext> running(Endpoint target) {
    var r = RUNNING.get(target.port());
    if (r == null) {
      throw new StepException("nothing serves port " + target.port());
    }
    return r;
  }

  private static StepMethod step(List<String> params, BiFunction<Endpoint, Map<String, Object>, StepResult> body) {
    return new StepMethod() {
      @Override
      public List<String> parameters() {
        return params;
      }

      @Override
      public StepResult call(Endpoint target, Map<String, Object> kwargs) {
        return body.apply(target, kwargs);
      }
    };
  }
}
