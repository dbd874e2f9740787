package dev.faultbox.kernel.runtime;

import dev.faultbox.kernel.spec.ContainerSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A run's containers: the engine, found and checked when the spec first declares a container;
 * the run's id, on every container's label; images built from {@code build=} (once per run);
 * and the containers kept across tests ({@code reuse=True}). Closing removes every container of
 * the run; so does a shutdown hook, for Ctrl-C.
 */
public final class Containers implements AutoCloseable {
  private final ContainerEngine engine;
  private final String runId = UUID.randomUUID().toString().substring(0, 12);
  private final Map<Path, String> built = new ConcurrentHashMap<>();
  private final Map<String, Workload> reused = new ConcurrentHashMap<>();
  private final Thread onExit;

  private Containers(ContainerEngine engine) {
    this.engine = engine;
    this.onExit = new Thread(() -> engine.removeRun(runId), "faultbox-containers-exit");
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  /**
   * Finds the engine and removes what dead runs left.
   *
   * @return why containers cannot run here, or the run's containers
   */
  public static Containers connect(ClassLoader loader) throws ProcessFailure {
    ContainerEngine engine = ContainerEngine.find(loader).orElseThrow(() -> new ProcessFailure(
        "this Faultbox has no container engine module (faultbox-containers) on its class path"));
    Optional<String> why = engine.unavailable();
    if (why.isPresent()) {
      engine.close();
      throw new ProcessFailure(why.get());
    }
    engine.removeOrphans();
    return new Containers(engine);
  }

  public ContainerEngine engine() {
    return engine;
  }

  /** The labels every container of this run carries. */
  Map<String, String> labels(String service) {
    Map<String, String> l = new LinkedHashMap<>();
    ProcessHandle me = ProcessHandle.current();
    l.put(ContainerEngine.LABEL_RUN, runId);
    l.put(ContainerEngine.LABEL_PID, Long.toString(me.pid()));
    l.put(ContainerEngine.LABEL_STARTED, me.info().startInstant().map(Instant::toString).orElse(""));
    l.put(ContainerEngine.LABEL_SERVICE, service);
    l.put(ContainerEngine.LABEL_HOST, ContainerEngine.hostId());
    return l;
  }

  public String runId() {
    return runId;
  }

  /** The image a container service runs: its image=, or the one built from its build= directory. */
  String image(String service, ContainerSpec spec) throws ProcessFailure {
    if (spec.image() != null) {
      return spec.image();
    }
    String image = built.get(spec.build());
    if (image == null) {
      image = engine.build(service, spec.build());
      built.put(spec.build(), image);
    }
    return image;
  }

  /** The container of a reuse=True service, if one is running. */
  Workload reused(String service) {
    return reused.get(service);
  }

  void keep(String service, Workload w) {
    reused.put(service, w);
  }

  void forget(String service) {
    reused.remove(service);
  }

  @Override
  public void close() {
    for (Workload w : reused.values()) {
      quietly(w::close);
    }
    reused.clear();
    quietly(() -> engine.removeRun(runId));
    quietly(engine::close);
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }

  /** One step of the cleanup; a failing one must not skip the rest (the engine's errors are its own). */
  private static void quietly(Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(Containers.class).warn("removing the run's containers: {}", e.toString());
    }
  }
}
