package dev.faultbox.cli;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.plugin.PluginRegistry;
import dev.faultbox.kernel.spec.SpecSession;
import dev.faultbox.kernel.spec.Stdlib;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import dev.faultbox.kernel.spec.Durations;
import net.starlark.java.eval.EvalException;
import picocli.CommandLine.Option;

/** The options shared by commands that load a spec, and the loading itself. */
final class SpecOptions {
  @Option(names = "--seed", paramLabel = "N",
      description = "Seeds fault probabilities, so a run repeats (default: a new seed, shown in replay lines).")
  Long seed;

  @Option(names = "--max-events", paramLabel = "N", defaultValue = "1000000",
      description = "Events one test keeps (default: ${DEFAULT-VALUE}); past them one log.overflow event counts the rest.")
  long maxEvents;

  @Option(names = "--bind", paramLabel = "ADDR", description = "Address mocks listen on (default: ${DEFAULT-VALUE}).",
      defaultValue = "127.0.0.1")
  String bind;

  @Option(names = "--port-offset", paramLabel = "N", defaultValue = "0",
      description = "Add N to every port the spec declares (addresses, env and health checks follow), "
          + "so runs side by side do not collide (default: ${DEFAULT-VALUE}).")
  int portOffset;

  private boolean pluginsReported; // plugin warnings are printed once, however many specs load

  /** The options as replay commands repeat them: {@code --seed 7}, and the port offset when there is one. */
  String replayOptions() {
    return "--seed " + seed() + (portOffset == 0 ? "" : " --port-offset " + portOffset);
  }

  /** Checks the options that do not depend on a spec, so a mistake is reported once. */
  void check() throws SpecException {
    bindAddress(bind);
    if (portOffset < -65534 || portOffset > 65534) {
      throw new SpecException(null, "--port-offset " + portOffset + ": must be between -65534 and 65534");
    }
  }

  /** The seed given, or one chosen now and kept for this run. */
  long seed() {
    if (seed == null) {
      seed = new java.security.SecureRandom().nextLong() & 0xffffffffL;
    }
    return seed;
  }

  /** The --bind address: one this machine has, or a usage error. */
  static InetAddress bindAddress(String bind) throws SpecException {
    try {
      InetAddress a = InetAddress.getByName(bind);
      if (a.isAnyLocalAddress() || a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null) {
        return a;
      }
    } catch (UnknownHostException | SocketException e) {
      // reported below
    }
    throw new SpecException(null, "--bind " + bind + ": not an address of this machine");
  }

  /** A duration option such as {@code 30s}, or a usage error naming the option. */
  static Duration duration(String option, String text) throws SpecException {
    Duration d;
    try {
      d = Durations.parse(text, option);
    } catch (EvalException e) {
      throw new SpecException(null, e.getMessage());
    }
    if (d.isZero() || d.isNegative()) {
      throw new SpecException(null, option + " must be longer than zero, got " + text);
    }
    return d;
  }

  /** Loads a spec with the plugins and stdlib on the class path. */
  SpecSession load(String spec, PrintStream printOut) throws SpecException {
    check();
    Path file = Path.of(spec);
    if (!Files.isRegularFile(file)) {
      throw new SpecException(null, "spec file " + spec + " not found");
    }
    InetAddress address = bindAddress(bind);
    ClassLoader loader = SpecOptions.class.getClassLoader();
    PluginRegistry plugins = Main.plugins();
    if (!pluginsReported) {
      pluginsReported = true;
      for (PluginRegistry.Skipped s : plugins.skipped()) {
        System.err.println("warning: plugin " + s.name() + " skipped: " + s.reason());
      }
      plugins.warnings().forEach(w -> System.err.println("warning: " + w));
    }
    Stdlib stdlib = Stdlib.load(loader, plugins.libraries());
    if (maxEvents < 1 || maxEvents > 60_000_000) {
      throw new SpecException(null, "--max-events must be in 1..60000000, got " + maxEvents);
    }
    return SpecSession.load(file, spec, plugins, stdlib,
        new SpecSession.Options(address, printOut, SpecSession.DEFAULT_HANDLER_STEPS, seed(), portOffset, maxEvents));
  }
}
