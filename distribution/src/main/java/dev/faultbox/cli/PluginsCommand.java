package dev.faultbox.cli;

import dev.faultbox.kernel.plugin.PluginRegistry;
import dev.faultbox.spi.MockProtocol;
import java.io.PrintWriter;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(name = "plugins", mixinStandardHelpOptions = true,
    description = "List the protocol plugins found, with their protocols, versions and jars.")
final class PluginsCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec command;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    PluginRegistry registry = PluginRegistry.load(PluginsCommand.class.getClassLoader());
    out.printf("%-10s %-18s %-16s %s%n", "PLUGIN", "PROTOCOLS", "VERSION", "JAR");
    for (MockProtocol p : registry.plugins()) {
      out.printf("%-10s %-18s %-16s %s%n", p.id(), String.join(",", new TreeSet<>(p.protocols())),
          PluginRegistry.version(p), PluginRegistry.origin(p));
    }
    for (PluginRegistry.Skipped s : registry.skipped()) {
      out.printf("skipped: %s: %s%n", s.name(), s.reason());
    }
    return Main.OK;
  }
}
