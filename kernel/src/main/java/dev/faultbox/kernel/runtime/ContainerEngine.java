package dev.faultbox.kernel.runtime;

import dev.faultbox.kernel.event.Recorder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A container engine (Docker), provided by a module on the class path; the kernel knows only
 * this. Containers it starts carry {@link #LABEL_RUN} and the run's process, so a run can remove
 * its own and, at start, those of runs that died.
 */
public interface ContainerEngine extends AutoCloseable {
  String LABEL_RUN = "dev.faultbox.run";
  String LABEL_PID = "dev.faultbox.pid";
  String LABEL_STARTED = "dev.faultbox.started";
  String LABEL_SERVICE = "dev.faultbox.service";
  /** Where the pid means something: the boot and the pid namespace of the run's process. */
  String LABEL_HOST = "dev.faultbox.host";

  /** A bind mount. */
  record Mount(Path host, String container, boolean readOnly) {}

  /**
   * What to start.
   *
   * @param hosts extra {@code /etc/hosts} entries: service name to address
   * @param labels every label of the container, the run's included
   */
  record Launch(String service, String image, List<String> args, Map<String, String> env, Map<String, String> hosts,
      List<Mount> mounts, Map<String, String> labels) {}

  /** Why no engine answers (one line, naming where it looked), or empty when one does. */
  Optional<String> unavailable();

  /** Whether the image is present locally. */
  boolean hasImage(String image);

  /**
   * The image built from {@code dir}'s Dockerfile, tagged by a hash of the directory's content so
   * it is built once and reused while the content stays the same.
   *
   * @throws ProcessFailure when the build fails, with its last lines
   */
  String build(String service, Path dir) throws ProcessFailure;

  /** Starts a container on the host network; its output lines go to {@code events}. */
  Workload start(Launch launch, Recorder events) throws ProcessFailure;

  /** Removes every container labelled with the run. */
  void removeRun(String runId);

  /** Removes the containers of runs whose process has ended: what a killed run left. */
  void removeOrphans();

  @Override
  void close();

  /** The engine on the class path, if any. */
  static Optional<ContainerEngine> find(ClassLoader loader) {
    return ServiceLoader.load(ContainerEngine.class, loader).findFirst();
  }

  /**
   * Whether a container's labels name a run whose process no longer exists (or is another by now).
   * Only a run on this boot and in this pid namespace is judged: a run in another container, or on
   * another machine sharing the engine, has pids this process cannot see.
   */
  static boolean orphaned(Map<String, String> labels) {
    if (!hostId().equals(labels.get(LABEL_HOST))) {
      return false;
    }
    try {
      long pid = Long.parseLong(labels.getOrDefault(LABEL_PID, ""));
      Optional<ProcessHandle> p = ProcessHandle.of(pid);
      if (p.isEmpty() || !p.get().isAlive()) {
        return true;
      }
      Optional<Instant> started = p.get().info().startInstant();
      String label = labels.get(LABEL_STARTED);
      return started.isPresent() && label != null && !started.get().toString().equals(label);
    } catch (NumberFormatException e) {
      return false; // not ours to judge
    }
  }

  /** This process's boot and pid namespace, as {@link #LABEL_HOST} records them. */
  static String hostId() {
    try {
      return java.nio.file.Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip() + " "
          + java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/ns/pid"));
    } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
      return "unknown";
    }
  }
}
