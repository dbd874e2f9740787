package dev.faultbox.kernel.spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How to run a service that is a local program.
 *
 * @param binary the executable, resolved against the spec's directory
 * @param args its arguments
 * @param env the spec's environment on top of the inherited one, before addresses are rewritten
 * @param cwd where it runs
 * @param health when it is ready
 */
public record ProcessSpec(Path binary, List<String> args, Map<String, String> env, Path cwd, Healthcheck health) {
  public ProcessSpec {
    args = List.copyOf(args);
    env = Map.copyOf(env);
  }

  /**
   * A readiness check: a TCP connect, or an HTTP GET answering 2xx or 3xx.
   *
   * @param http whether it is an HTTP check
   * @param host the host to dial
   * @param port the port to dial, as the spec writes it: a declared port moves with {@code --port-offset}
   *     when the service starts
   * @param path the HTTP path, for an HTTP check
   * @param timeout how long start-up may take
   */
  public record Healthcheck(boolean http, String host, int port, String path, Duration timeout) {
    @Override
    public String toString() {
      return http ? "http(\"" + host + ":" + port + path + "\")" : "tcp(\"" + host + ":" + port + "\")";
    }
  }
}
