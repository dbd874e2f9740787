package dev.faultbox.cli;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.runtime.Ports;
import dev.faultbox.kernel.runtime.ProcessFailure;
import dev.faultbox.kernel.runtime.ServiceRuntime;
import dev.faultbox.kernel.spec.SpecSession;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Serve the spec's mocks until Ctrl-C, logging every request.")
final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC", defaultValue = "faultbox.star",
      description = "The Starlark spec file (default: ${DEFAULT-VALUE}).")
  String spec;

  @Mixin SpecOptions specOptions;

  @Option(names = "--log-limit", paramLabel = "N", defaultValue = "200",
      description = "Log at most N requests a second, then count the rest in one line (default: ${DEFAULT-VALUE}; 0: no limit).")
  int logLimit;

  @Spec picocli.CommandLine.Model.CommandSpec command;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    PrintWriter err = command.commandLine().getErr();
    RequestLog log = new RequestLog(out, logLimit);
    SpecSession session;
    ServiceRuntime mocks;
    try {
      session = specOptions.load(spec, System.out);
      mocks = new ServiceRuntime(session, log);
      mocks.start();
    } catch (SpecException | ProcessFailure e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Main.USAGE;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      mocks.close();
      session.close();
      log.flush(); // the last lines, programs' shutdown output included
    }, "faultbox-shutdown"));
    for (ServiceRuntime.Running r : mocks.running()) {
      var def = r.definition();
      out.println(def.service() + "." + def.iface().name() + " " + def.iface().protocol() + " "
          + Ports.hostPort(r.server().address()));
    }
    String host = session.advertisedHost();
    for (ServiceRuntime.Program p : mocks.programs()) {
      out.println(p.service() + " " + p.description());
      p.interfaces().forEach(i -> out.println(p.service() + "." + i.name() + " " + i.protocol() + " "
          + Ports.hostPort(host, i.port())));
    }
    if (session.hasTls()) {
      out.println("mock CA: " + session.tls().caFile() + " (trust it in clients of tls=True mocks)");
    }
    out.println("serving " + Main.count(mocks.running().size(), "mock interface")
        + (mocks.programs().isEmpty() ? "" : " and " + Main.count(mocks.programs().size(), "program"))
        + "; press Ctrl-C to stop");
    out.flush();
    try {
      while (true) {
        Thread.sleep(100);
        log.tick(); // sums up a busy second even when no request follows it
        log.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Main.OK;
  }
}
