package dev.faultbox.cli;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.event.Event;
import dev.faultbox.kernel.event.EventLog;
import dev.faultbox.kernel.runtime.MockRuntime;
import dev.faultbox.kernel.spec.SpecSession;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Serve the spec's mocks until Ctrl-C, logging every request.")
final class RunCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  @Mixin SpecOptions specOptions;

  @Spec picocli.CommandLine.Model.CommandSpec command;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    PrintWriter err = command.commandLine().getErr();
    SpecSession session;
    MockRuntime mocks;
    try {
      session = specOptions.load(System.out);
      mocks = new MockRuntime(session);
      mocks.start();
    } catch (SpecException e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      mocks.close();
      session.close();
    }, "faultbox-shutdown"));
    for (MockRuntime.Running r : mocks.running()) {
      var def = r.definition();
      out.printf("%s.%s %s %s:%d%n", def.service(), def.iface().name(), def.iface().protocol(),
          r.server().address().getAddress().getHostAddress(), r.server().address().getPort());
    }
    out.println("serving " + mocks.running().size() + " interfaces; press Ctrl-C to stop");
    out.flush();
    follow(session.events(), out);
    return Main.OK;
  }

  /** Prints each event as it is recorded, until the process is stopped. */
  private static void follow(EventLog log, PrintWriter out) {
    int printed = 0;
    while (!Thread.currentThread().isInterrupted()) {
      final int seen = printed;
      log.await(() -> log.size() > seen, TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(1));
      List<Event> all = log.snapshot();
      for (; printed < all.size(); printed++) {
        out.println(line(all.get(printed)));
      }
      out.flush();
    }
  }

  static String line(Event e) {
    StringBuilder b = new StringBuilder(LocalTime.now().format(TIME)).append(' ')
        .append(e.service()).append('.').append(e.iface()).append(' ').append(e.op());
    new TreeMap<>(e.fields()).forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
    return b.toString();
  }
}
