package dev.faultbox.containers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.faultbox.kernel.event.Recorder;
import dev.faultbox.kernel.runtime.ContainerEngine;
import dev.faultbox.kernel.runtime.ProcessFailure;
import dev.faultbox.kernel.runtime.Workload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Docker engine through docker-java and its zero-dependency transport: no CLI, no helper
 * container (no registry is needed), and the lifecycle (labels, removal) is Faultbox's own.
 * Honours {@code DOCKER_HOST}, else {@code unix:///var/run/docker.sock}.
 */
public final class DockerEngine implements ContainerEngine {
  private static final int BUILD_TAIL = 10;

  private final DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
  private DockerClient client; // made on first use

  private synchronized DockerClient client() {
    if (client == null) {
      DockerHttpClient http = new ZerodepDockerHttpClient.Builder()
          .dockerHost(config.getDockerHost())
          .sslConfig(config.getSSLConfig())
          .connectionTimeout(Duration.ofSeconds(3))
          .responseTimeout(Duration.ofMinutes(10)) // an image build answers as it goes
          .build();
      client = DockerClientImpl.getInstance(config, http);
    }
    return client;
  }

  @Override
  public Optional<String> unavailable() {
    URI host = config.getDockerHost();
    if ("unix".equals(host.getScheme()) && !Files.exists(Path.of(host.getPath()))) {
      return Optional.of("no Docker engine answers at " + host + " (the socket does not exist)");
    }
    try {
      client().pingCmd().exec();
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of("no Docker engine answers at " + host + " (" + firstLine(e) + ")");
    }
  }

  @Override
  public boolean hasImage(String image) {
    try {
      client().inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  @Override
  public String build(String service, Path dir) throws ProcessFailure {
    String tag = "faultbox-" + service.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]", "-") + ":" + hash(dir);
    if (hasImage(tag)) {
      return tag; // built before from the same content
    }
    Deque<String> tail = new ArrayDeque<>();
    BuildImageResultCallback callback = new BuildImageResultCallback() {
      @Override
      public void onNext(BuildResponseItem item) {
        String text = item.getStream() != null ? item.getStream()
            : item.getErrorDetail() != null ? item.getErrorDetail().getMessage() : null;
        if (text != null) {
          synchronized (tail) {
            text.lines().filter(l -> !l.isBlank()).forEach(l -> {
              if (tail.size() == BUILD_TAIL) {
                tail.removeFirst();
              }
              tail.addLast(l.strip());
            });
          }
        }
        super.onNext(item);
      }
    };
    try {
      client().buildImageCmd(dir.toFile()).withTags(Set.of(tag)).withRemove(true).exec(callback).awaitImageId();
      return tag;
    } catch (DockerClientException | DockerException e) {
      List<String> lines;
      synchronized (tail) {
        lines = List.copyOf(tail);
      }
      throw new ProcessFailure("service " + service + ": building the image in " + dir + " failed: " + firstLine(e)
          + (lines.isEmpty() ? "" : "; the build's last lines: " + String.join(" | ", lines)));
    }
  }

  /** A hash of the build context: every file's path and bytes, in a stable order. */
  static String hash(Path dir) throws ProcessFailure {
    try (Stream<Path> files = Files.walk(dir)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        sha.update(dir.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(Files.readAllBytes(f));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    } catch (IOException | UncheckedIOException e) {
      throw new ProcessFailure("cannot read the build directory " + dir + ": " + e.getMessage());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Workload start(Launch launch, Recorder events) throws ProcessFailure {
    List<String> hosts = new ArrayList<>();
    launch.hosts().forEach((name, address) -> hosts.add(name + ":" + address));
    List<Bind> binds = new ArrayList<>();
    for (Mount m : launch.mounts()) {
      binds.add(new Bind(m.host().toString(), new Volume(m.container()), m.readOnly() ? AccessMode.ro : AccessMode.rw));
    }
    List<String> env = new ArrayList<>();
    launch.env().forEach((k, v) -> env.add(k + "=" + v));
    String name = "faultbox-" + launch.service().replaceAll("[^A-Za-z0-9_.-]", "-") + "-"
        + launch.labels().getOrDefault(LABEL_RUN, "run");
    String id = null;
    try {
      var create = client().createContainerCmd(launch.image())
          .withName(name)
          .withLabels(launch.labels())
          .withEnv(env)
          .withHostConfig(HostConfig.newHostConfig()
              .withNetworkMode("host")
              .withExtraHosts(hosts.toArray(String[]::new))
              .withBinds(binds)
              .withInit(true)); // a shell as PID 1 would ignore SIGTERM
      if (!launch.args().isEmpty()) {
        create.withCmd(launch.args());
      }
      id = create.exec().getId();
      client().startContainerCmd(id).exec();
    } catch (NotFoundException e) {
      if (id != null) {
        removeQuietly(id);
      }
      throw new ProcessFailure("service " + launch.service() + ": image " + launch.image()
          + " not found locally; build it or use build=");
    } catch (RuntimeException e) { // created but not started, or not even created: leave nothing named
      removeQuietly(id != null ? id : name);
      throw new ProcessFailure("service " + launch.service() + ": the container would not start: " + firstLine(e));
    }
    DockerContainer c = new DockerContainer(client(), id, launch.service(), "container " + name + " (image "
        + launch.image() + ")", events);
    c.follow();
    return c;
  }

  private void removeQuietly(String idOrName) {
    try {
      client().removeContainerCmd(idOrName).withForce(true).withRemoveVolumes(true).exec();
    } catch (RuntimeException e) {
      // gone already, or the engine will not: the run's exit sweep tries again by label
    }
  }

  @Override
  public void removeRun(String runId) {
    remove(c -> runId.equals(c.getLabels().get(LABEL_RUN)));
  }

  @Override
  public void removeOrphans() {
    remove(c -> ContainerEngine.orphaned(c.getLabels()));
  }

  private void remove(java.util.function.Predicate<Container> which) {
    List<Container> ours;
    try {
      ours = client().listContainersCmd().withShowAll(true).withLabelFilter(List.of(LABEL_RUN)).exec();
    } catch (RuntimeException e) {
      return; // no engine: nothing of ours can be left on it
    }
    for (Container c : ours) {
      if (which.test(c)) {
        removeQuietly(c.getId());
      }
    }
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      try {
        client.close();
      } catch (IOException ignored) {
        // the connection is going away anyway
      }
      client = null;
    }
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** A running container: its output lines are events; closing stops and removes it. */
  static final class DockerContainer extends Workload {
    private final DockerClient client;
    private final String id;
    private final String description;
    private final StringBuilder[] partial = {new StringBuilder(), new StringBuilder()};
    private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean closed;

    DockerContainer(DockerClient client, String id, String service, String description, Recorder events) {
      super(service, "container", events);
      this.client = client;
      this.id = id;
      this.description = description;
    }

    @Override
    public String describe() {
      return description;
    }

    void follow() {
      client.logContainerCmd(id).withFollowStream(true).withStdOut(true).withStdErr(true)
          .exec(new ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
            @Override
            public void onNext(com.github.dockerjava.api.model.Frame f) {
              boolean err = f.getStreamType() == com.github.dockerjava.api.model.StreamType.STDERR;
              take(err ? 1 : 0, new String(f.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
            }

            @Override
            public void onComplete() {
              finish();
            }

            @Override
            public void onError(Throwable t) {
              finish();
            }
          });
    }

    private synchronized void take(int stream, String text) {
      StringBuilder b = partial[stream];
      b.append(text);
      int nl;
      while ((nl = b.indexOf("\n")) >= 0) {
        String l = b.substring(0, nl);
        b.delete(0, nl + 1);
        line(stream == 1 ? "stderr" : "stdout", l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
      }
    }

    private synchronized void finish() {
      for (int s = 0; s < 2; s++) {
        if (partial[s].length() > 0) {
          line(s == 1 ? "stderr" : "stdout", partial[s].toString());
          partial[s].setLength(0);
        }
      }
      ended.countDown();
    }

    @Override
    protected boolean alive() {
      try {
        return Boolean.TRUE.equals(client.inspectContainerCmd(id).exec().getState().getRunning());
      } catch (NotFoundException e) {
        return false;
      }
    }

    @Override
    protected String exitStatus() {
      try {
        Long code = client.inspectContainerCmd(id).exec().getState().getExitCodeLong();
        return "exited with code " + code;
      } catch (NotFoundException e) {
        return "was removed";
      }
    }

    @Override
    protected void drainOutput() throws InterruptedException {
      ended.await(1, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Stops the container (SIGTERM, SIGKILL after 2 s) and removes it. */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        client.stopContainerCmd(id).withTimeout(2).exec();
      } catch (DockerException | DockerClientException ignored) {
        // exited already, or the removal below forces it
      }
      try {
        ended.await(1, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        client.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
      } catch (NotFoundException ignored) {
        // gone already
      } catch (DockerException e) {
        // the run's exit sweep removes it by label
      }
    }
  }
}
