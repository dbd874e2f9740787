package dev.faultbox.kernel.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to run a service that is a container.
 *
 * @param image the image to run, or null when it is built from {@code build}
 * @param build the directory holding the Dockerfile, or null
 * @param args the command, replacing the image's CMD when not empty
 * @param env the spec's environment, as written: service names resolve inside the container
 * @param volumes host path to container path
 * @param health when it is ready
 * @param reuse whether one container serves all the run's tests
 */
public record ContainerSpec(String image, Path build, List<String> args, Map<String, String> env,
    Map<Path, String> volumes, ProcessSpec.Healthcheck health, boolean reuse) {
  public ContainerSpec {
    args = List.copyOf(args);
    env = Map.copyOf(env);
    volumes = Map.copyOf(volumes);
  }
}
