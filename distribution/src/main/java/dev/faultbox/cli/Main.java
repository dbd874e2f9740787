package dev.faultbox.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code faultbox} command. */
@Command(
    name = "faultbox",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Stand up in-process protocol mocks from a Starlark spec, drive them from tests, assert on their events.",
    subcommands = {
      TestCommand.class,
      RunCommand.class,
      CheckCommand.class,
      PluginsCommand.class,
      StdlibCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit code: every test passed, or the command succeeded. */
  static final int OK = 0;
  /** Exit code: the spec did not load, the command line was wrong, or no test matched. */
  static final int USAGE = 1;
  /** Exit code: a test failed. */
  static final int FAILED = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = execute(args, out, err);
    out.flush(); // autoflush covers println only: `stdlib show` ends with print
    err.flush();
    System.exit(code);
  }

  /**
   * The plugins: each directory of {@code -Dfaultbox.plugins} in a class loader of its own, as the
   * launcher sets it; else whatever is on the class path (a development run, the tests).
   */
  static dev.faultbox.kernel.plugin.PluginRegistry plugins() {
    String dir = System.getProperty("faultbox.plugins");
    ClassLoader host = Main.class.getClassLoader();
    return dir == null
        ? dev.faultbox.kernel.plugin.PluginRegistry.load(host)
        : dev.faultbox.kernel.plugin.PluginRegistry.loadDirectory(java.nio.file.Path.of(dir), host);
  }

  /** {@code 1 service}, {@code 2 services}. */
  static String count(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  /** Runs the command line with the given streams; returns the exit code. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    // Quiet library logging unless asked: the console belongs to test output.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    // Netty derives channel ids from a MAC address and warns when the host has no network card;
    // a random id serves as well and keeps the console quiet.
    if (System.getProperty("io.netty.machineId") == null) {
      byte[] id = new byte[8];
      new java.security.SecureRandom().nextBytes(id);
      System.setProperty("io.netty.machineId", java.util.HexFormat.ofDelimiter(":").formatHex(id));
    }
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler((ex, a) -> {
      err.println("error: " + ex.getMessage());
      err.println("run 'faultbox " + (ex.getCommandLine().getCommandName().equals("faultbox") ? "" : ex.getCommandLine().getCommandName() + " ") + "--help' for usage");
      return USAGE;
    });
    cli.setExecutionExceptionHandler((ex, c, parsed) -> {
      err.println("error: internal: " + ex);
      if (Boolean.getBoolean("faultbox.debug")) {
        ex.printStackTrace(err);
      }
      return USAGE;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The distribution's version, from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"faultbox " + version() + " (SPI " + dev.faultbox.spi.SpiVersion.CURRENT + ")"};
    }

    static String version() {
      String v = Main.class.getPackage().getImplementationVersion();
      return v == null ? "dev" : v;
    }
  }
}
