package dev.faultbox.cli;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.runtime.MockRuntime;
import dev.faultbox.kernel.spec.SpecSession;
import dev.faultbox.spi.MockEvent;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
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
    // Mocks hand events to the queue from their event loops; this thread prints them, so a
    // slow terminal never stalls a mock and nothing is retained.
    BlockingQueue<MockEvent> events = new LinkedBlockingQueue<>();
    SpecSession session;
    MockRuntime mocks;
    try {
      session = specOptions.load(System.out);
      mocks = new MockRuntime(session, events::add);
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
    if (session.hasTls()) {
      out.println("mock CA: " + session.tls().caFile() + " (trust it in clients of tls=True mocks)");
    }
    out.println("serving " + mocks.running().size() + " interfaces; press Ctrl-C to stop");
    out.flush();
    List<MockEvent> batch = new ArrayList<>();
    try {
      while (true) {
        batch.add(events.take());
        events.drainTo(batch, 4096);
        for (MockEvent e : batch) {
          out.println(line(e));
        }
        out.flush(); // once per batch: a busy mock is not held back by the terminal
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Main.OK;
  }

  /**
   * {@code 12:00:01.123 auth.http GET /health 204 3ms route=GET /health ...}: the op, then the
   * status and time when the protocol has them, then the other fields.
   */
  static String line(MockEvent e) {
    StringBuilder b = new StringBuilder(LocalTime.now().format(TIME)).append(' ')
        .append(e.service()).append('.').append(e.iface()).append(' ').append(e.op());
    Map<String, String> rest = new TreeMap<>(e.fields());
    String status = rest.remove("status");
    String ms = rest.remove("duration_ms");
    if (status != null) {
      b.append(' ').append(status);
    }
    if (ms != null) {
      b.append(' ').append(ms).append("ms");
    }
    rest.remove("method");
    rest.remove("path");
    rest.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
    return b.toString();
  }
}
