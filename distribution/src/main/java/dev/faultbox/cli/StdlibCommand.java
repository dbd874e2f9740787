package dev.faultbox.cli;

import dev.faultbox.kernel.plugin.PluginRegistry;
import dev.faultbox.kernel.spec.Stdlib;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "stdlib", mixinStandardHelpOptions = true,
    description = "List the embedded Starlark modules, or show one: faultbox stdlib show mocks/statsd.star")
final class StdlibCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "ACTION", description = "list (default) or show")
  String action;

  @Parameters(index = "1", arity = "0..1", paramLabel = "MODULE", description = "the module to show")
  String module;

  @Spec picocli.CommandLine.Model.CommandSpec command;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    PrintWriter err = command.commandLine().getErr();
    ClassLoader loader = StdlibCommand.class.getClassLoader();
    Stdlib stdlib;
    try (PluginRegistry plugins = Main.plugins()) {
      stdlib = Stdlib.load(loader, plugins.libraries());
    }
    if (action == null || action.equals("list")) {
      stdlib.files().keySet().forEach(p -> out.println(Stdlib.PREFIX + p));
      return Main.OK;
    }
    if (!action.equals("show") || module == null) {
      err.println("error: usage: faultbox stdlib [list | show MODULE]");
      return Main.USAGE;
    }
    String path = module.startsWith(Stdlib.PREFIX) ? module.substring(Stdlib.PREFIX.length()) : module;
    Optional<String> source = stdlib.source(path);
    if (source.isEmpty()) {
      err.println("error: no stdlib module " + module + "; available: " + String.join(", ", stdlib.files().keySet()));
      return Main.USAGE;
    }
    out.print(source.get());
    return Main.OK;
  }
}
