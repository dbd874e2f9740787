package dev.faultbox.cli;

import dev.faultbox.kernel.SpecException;
import dev.faultbox.kernel.spec.SpecSession;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Load and validate the spec without starting anything.")
final class CheckCommand implements Callable<Integer> {
  @Mixin SpecOptions specOptions;

  @Spec picocli.CommandLine.Model.CommandSpec command;

  @Override
  public Integer call() {
    try (SpecSession session = specOptions.load(System.err)) {
      int services = session.services().size();
      int tests = session.tests().size();
      command.commandLine().getOut().printf("ok: %s: %d service%s, %d test%s%n",
          specOptions.spec, services, services == 1 ? "" : "s", tests, tests == 1 ? "" : "s");
      return Main.OK;
    } catch (SpecException e) {
      command.commandLine().getErr().println("error: " + e.getMessage());
      return Main.USAGE;
    }
  }
}
