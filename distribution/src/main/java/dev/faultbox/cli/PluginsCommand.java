package dev.faultbox.cli;

import dev.faultbox.kernel.plugin.PluginRegistry;
import dev.faultbox.spi.MockProtocol;
import java.io.PrintWriter;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(name = "plugins", mixinStandardHelpOptions = true,
    description = "List the protocol plugins found: id, version, SPI version, protocols and where each was loaded from.")
final class PluginsCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec command;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    try (PluginRegistry registry = Main.plugins()) {
      out.printf("%-10s %-16s %-4s %-18s %s%n", "PLUGIN", "VERSION", "SPI", "PROTOCOLS", "FROM");
      for (MockProtocol p : registry.plugins()) {
        out.printf("%-10s %-16s %-4d %-18s %s%n", p.id(), PluginRegistry.version(p), p.spiVersion(),
            String.join(",", new TreeSet<>(registry.protocolsOf(p))), registry.originOf(p));
      }
      registry.warnings().forEach(w -> out.println("warning: " + w));
      for (PluginRegistry.Skipped s : registry.skipped()) {
        out.printf("skipped: %s: %s%n", s.name(), s.reason());
      }
    }
    return Main.OK;
  }
}
