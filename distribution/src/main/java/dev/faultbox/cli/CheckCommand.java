package dev.faultbox.cli;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.spec.SpecSession;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Load and validate the spec without starting anything.")
final class CheckCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC", defaultValue = "faultbox.star",
      description = "The Starlark spec file (default: ${DEFAULT-VALUE}).")
  String spec;

  @Mixin SpecOptions specOptions;

  @Spec picocli.CommandLine.Model.CommandSpec command;

  @Override
  public Integer call() {
    try (SpecSession session = specOptions.load(spec, System.err)) {
      command.commandLine().getOut().println("ok: " + spec + ": "
          + Main.count(session.services().size(), "service") + ", " + Main.count(session.tests().size(), "test"));
      return Main.OK;
    } catch (SpecException e) {
      command.commandLine().getErr().println("error: " + e.getMessage());
      return Main.USAGE;
    }
  }
}
