package dev.faultbox.kernel.spec;

import dev.faultbox.spi.InterfaceSpec;
import dev.faultbox.spi.FaultModel;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.SourceLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.starlark.java.annot.Param;
import net.starlark.java.annot.ParamType;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.annot.StarlarkMethod;
import net.starlark.java.eval.Dict;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.NoneType;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.Sequence;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkThread;
import net.starlark.java.eval.StarlarkValue;
import net.starlark.java.eval.Tuple;

/** Real services: {@code service(...)}, the system under test as a local program, and its health checks. */
public final class ServiceBuiltins {
  static final ServiceBuiltins INSTANCE = new ServiceBuiltins();
  static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(10);

  private ServiceBuiltins() {}

  /** A health check value, from {@code tcp(...)} or {@code http(...)}. */
  @StarlarkBuiltin(name = "healthcheck")
  public record HealthcheckValue(ProcessSpec.Healthcheck check) implements StarlarkValue {
    @Override
    public boolean isImmutable() {
      return true;
    }

    @Override
    public void repr(Printer p) {
      p.append(check.toString());
    }
  }

  @StarlarkMethod(
      name = "tcp",
      doc = "A health check: ready once addr (\"localhost:9001\") accepts a TCP connection.",
      parameters = {
        @Param(name = "addr", named = true),
        @Param(name = "timeout", named = true, positional = false, defaultValue = "'10s'"),
      })
  public HealthcheckValue tcp(String addr, Object timeout) throws EvalException {
    String target = addr.startsWith("tcp://") ? addr.substring(6) : addr;
    HostPort hp = hostPort(target, "tcp(" + Starlark.repr(addr) + ")");
    return new HealthcheckValue(new ProcessSpec.Healthcheck(false, hp.host, hp.port, "",
        Durations.parse(timeout, "tcp() timeout")));
  }

  @StarlarkMethod(
      name = "http",
      doc = "A health check: ready once GET url (\"localhost:8080/health\") answers 2xx or 3xx.",
      parameters = {
        @Param(name = "url", named = true),
        @Param(name = "timeout", named = true, positional = false, defaultValue = "'10s'"),
      })
  public HealthcheckValue http(String url, Object timeout) throws EvalException {
    String target = url.startsWith("http://") ? url.substring(7) : url;
    int slash = target.indexOf('/');
    String path = slash < 0 ? "/" : target.substring(slash);
    HostPort hp = hostPort(slash < 0 ? target : target.substring(0, slash), "http(" + Starlark.repr(url) + ")");
    return new HealthcheckValue(new ProcessSpec.Healthcheck(true, hp.host, hp.port, path,
        Durations.parse(timeout, "http() timeout")));
  }

  // The same checks under names no recipe export can shadow: a spec that loads a recipe module
  // bound to `http` or `tcp` still has http_check() and tcp_check().

  @StarlarkMethod(
      name = "tcp_check",
      doc = "tcp(addr, timeout): a health check ready once addr accepts a TCP connection.",
      parameters = {
        @Param(name = "addr", named = true),
        @Param(name = "timeout", named = true, positional = false, defaultValue = "'10s'"),
      })
  public HealthcheckValue tcpCheck(String addr, Object timeout) throws EvalException {
    return tcp(addr, timeout);
  }

  @StarlarkMethod(
      name = "http_check",
      doc = "http(url, timeout): a health check ready once GET url answers 2xx or 3xx.",
      parameters = {
        @Param(name = "url", named = true),
        @Param(name = "timeout", named = true, positional = false, defaultValue = "'10s'"),
      })
  public HealthcheckValue httpCheck(String url, Object timeout) throws EvalException {
    return http(url, timeout);
  }

  private record HostPort(String host, int port) {}

  private static HostPort hostPort(String s, String what) throws EvalException {
    int colon = s.lastIndexOf(':');
    try {
      int port = Integer.parseInt(s.substring(colon + 1));
      String host = colon <= 0 ? "localhost" : s.substring(0, colon).replace("[", "").replace("]", "");
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return new HostPort(host, port);
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      throw Starlark.errorf("%s: write the address as host:port, e.g. \"localhost:8080\"", what);
    }
  }

  @StarlarkMethod(
      name = "service",
      doc = "A real service, the system under test: a local program started after what it depends on.",
      parameters = {
        @Param(name = "name", named = true),
        @Param(name = "binary", named = true, positional = false, defaultValue = "None",
            allowedTypes = {@ParamType(type = String.class), @ParamType(type = NoneType.class)}),
        @Param(name = "args", named = true, positional = false, defaultValue = "[]"),
        @Param(name = "env", named = true, positional = false, defaultValue = "{}"),
        @Param(name = "depends_on", named = true, positional = false, defaultValue = "[]"),
        @Param(name = "healthcheck", named = true, positional = false, defaultValue = "None",
            allowedTypes = {@ParamType(type = HealthcheckValue.class), @ParamType(type = NoneType.class)}),
        @Param(name = "cwd", named = true, positional = false, defaultValue = "None",
            allowedTypes = {@ParamType(type = String.class), @ParamType(type = NoneType.class)}),
        @Param(name = "image", named = true, positional = false, defaultValue = "None",
            allowedTypes = {@ParamType(type = String.class), @ParamType(type = NoneType.class)}),
        @Param(name = "build", named = true, positional = false, defaultValue = "None",
            allowedTypes = {@ParamType(type = String.class), @ParamType(type = NoneType.class)}),
        @Param(name = "volumes", named = true, positional = false, defaultValue = "{}"),
        @Param(name = "ports", named = true, positional = false, defaultValue = "{}"),
        @Param(name = "reuse", named = true, positional = false, defaultValue = "False"),
      },
      extraPositionals = @Param(name = "binary_and_interfaces"),
      useStarlarkThread = true)
  public ServiceValue service(String name, Object binary, Sequence<?> args, Dict<?, ?> env, Sequence<?> dependsOn,
      Object healthcheck, Object cwd, Object image, Object build, Dict<?, ?> volumes, Dict<?, ?> ports, boolean reuse,
      Tuple positional, StarlarkThread thread) throws EvalException {
    SpecSession session = SpecSession.of(thread);
    String what = "service(" + Starlark.repr(name) + ")";
    if (name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
      throw Starlark.errorf("service() name must be non-empty without spaces, got %s", Starlark.repr(name));
    }
    List<InterfaceSpec> ifaces = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    String bin = binary == Starlark.NONE ? null : (String) binary;
    for (int i = 0; i < positional.size(); i++) {
      Object o = positional.get(i);
      if (o instanceof String s && i == 0 && bin == null) {
        bin = s;
      } else if (o instanceof InterfaceDecl d) {
        if (!seen.add(d.spec().name())) {
          throw Starlark.errorf("%s declares interface %s twice", what, Starlark.repr(d.spec().name()));
        }
        ifaces.add(d.spec());
      } else {
        throw Starlark.errorf("%s argument %d must be %s, got %s", what, i + 2,
            i == 0 ? "the binary path or an interface(...)" : "interface(name, protocol, port)", Starlark.type(o));
      }
    }
    int sources = (bin != null ? 1 : 0) + (image != Starlark.NONE ? 1 : 0) + (build != Starlark.NONE ? 1 : 0);
    if (sources > 1) {
      throw Starlark.errorf("%s takes one of a program, image= and build=, got %d", what, sources);
    }
    if (sources == 0) {
      throw Starlark.errorf("%s needs something to run: service(%s, \"./bin/app\", interface(...)), image= or build=",
          what, Starlark.repr(name));
    }
    ProcessSpec.Healthcheck health = healthcheck != Starlark.NONE
        ? ((HealthcheckValue) healthcheck).check()
        : ifaces.isEmpty() ? null
        : new ProcessSpec.Healthcheck(false, "localhost", session.declaredPort(ifaces.get(0)), "", DEFAULT_HEALTH_TIMEOUT);
    List<String> argv = Values.strings(args, what + " args");
    Map<String, String> environment = Values.stringMap(env, what + " env");
    Optional<ProcessSpec> process = Optional.empty();
    Optional<ContainerSpec> container = Optional.empty();
    if (bin != null) {
      if (!volumes.isEmpty() || !ports.isEmpty() || reuse) {
        throw Starlark.errorf("%s runs a local program: volumes=, ports= and reuse= are for containers (image= or build=)", what);
      }
      Path dir = cwd == Starlark.NONE ? session.specDirectory() : session.specDirectory().resolve((String) cwd).normalize();
      process = Optional.of(new ProcessSpec(program(bin, session.specDirectory()), argv, environment, dir, health));
    } else {
      if (cwd != Starlark.NONE) {
        throw Starlark.errorf("%s runs a container: cwd= is for local programs (the image sets its working directory)", what);
      }
      container = Optional.of(container(what, image == Starlark.NONE ? null : (String) image,
          build == Starlark.NONE ? null : (String) build, argv, environment, volumes, ports, ifaces, health, reuse, session));
    }
    SourceLocation at = session.location(thread.getCallerLocation());
    List<InterfaceRef> refs = new ArrayList<>();
    for (InterfaceSpec spec : ifaces) {
      Optional<ProtocolFactory> factory = session.plugins().find(spec.protocol());
      refs.add(new InterfaceRef(name, spec, factory.map(ProtocolFactory::steps).orElse(Map.of()),
          factory.map(ProtocolFactory::faultModel).orElse(FaultModel.NONE), session.dialHost(), session.advertisedHost(),
          Optional.empty(), false));
    }
    session.register(new ServiceDecl(name, ifaces, List.of(), process, container,
        Builtins.dependsOn(dependsOn, what), at));
    return new ServiceValue(name, refs);
  }

  /** A program path: as is when absolute or a bare command on PATH, else against the spec's directory. */
  private static Path program(String bin, Path specDirectory) {
    Path p = Path.of(bin);
    if (p.isAbsolute()) {
      return p;
    }
    if (!bin.contains("/")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
        Path candidate = Path.of(dir, bin);
        if (!dir.isEmpty() && Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    return specDirectory.resolve(p).normalize();
  }

  /**
   * A container service, checked now: the engine answers, the image is there (or the build
   * directory has a Dockerfile), volumes exist, and ports= asks nothing the host network cannot do.
   */
  private static ContainerSpec container(String what, String image, String build, List<String> args,
      Map<String, String> env, Dict<?, ?> volumes, Dict<?, ?> ports, List<InterfaceSpec> ifaces,
      ProcessSpec.Healthcheck health, boolean reuse, SpecSession session) throws EvalException {
    Map<Path, String> mounts = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, String> v : Values.stringMap(volumes, what + " volumes").entrySet()) {
      Path host = session.specDirectory().resolve(v.getKey()).normalize();
      if (!Files.exists(host)) {
        throw Starlark.errorf("%s volumes: %s does not exist (host paths are relative to the spec)", what, Starlark.repr(v.getKey()));
      }
      if (!v.getValue().startsWith("/")) {
        throw Starlark.errorf("%s volumes: the container path %s must be absolute", what, Starlark.repr(v.getValue()));
      }
      mounts.put(host, v.getValue());
    }
    for (Map.Entry<?, ?> p : ports.entrySet()) {
      // On the host network a container's port is the host's: only an identity mapping means anything.
      if (!(p.getKey() instanceof net.starlark.java.eval.StarlarkInt c) || !(p.getValue() instanceof net.starlark.java.eval.StarlarkInt h)) {
        throw Starlark.errorf("%s ports must map a container port to a host port, both ints, got %s: %s", what,
            Starlark.type(p.getKey()), Starlark.type(p.getValue()));
      }
      if (!c.equals(h)) {
        throw Starlark.errorf("%s ports {%s: %s}: containers run on the host network, where a container's port is "
            + "the host's; declare the port the program listens on in its interface() (a bridge network, which "
            + "could map ports, is future work)", what, c, h);
      }
    }
    dev.faultbox.kernel.runtime.Containers engine;
    try {
      engine = session.containers();
    } catch (dev.faultbox.kernel.runtime.ProcessFailure e) {
      throw Starlark.errorf("%s uses %s (container mode), but %s; start a Docker engine or run the service as a "
          + "local program", what, image != null ? "image=" : "build=", e.getMessage());
    }
    Path dir = null;
    if (build != null) {
      dir = session.specDirectory().resolve(build).normalize();
      if (!Files.isRegularFile(dir.resolve("Dockerfile"))) {
        throw Starlark.errorf("%s build=%s: %s has no Dockerfile", what, Starlark.repr(build), dir);
      }
    } else if (!engine.engine().hasImage(image)) {
      throw Starlark.errorf("%s: image %s not found locally; build it or use build=", what, image);
    }
    return new ContainerSpec(image, dir, args, env, mounts, health, reuse);
  }
}
