package dev.parley;

import dev.parley.admin.AdminCommand;
import dev.parley.config.ParleyConfig;
import dev.parley.db.DatabaseUnavailableException;
import dev.parley.logging.LogSetup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import sun.misc.Signal;

import java.util.concurrent.Callable;

/** {@code java -jar parley.jar} serves the API; {@code java -jar parley.jar admin ...} bootstraps. */
@Command(name = "parley", mixinStandardHelpOptions = true, subcommands = AdminCommand.class,
  description = "Parley: AI phone interviews. Without a subcommand, serves the API.")
public final class Main implements Callable<Integer> {
  private volatile ParleyServer server;

  public static void main(String[] args) {
    String format;
    try {
      format = ParleyConfig.load().logFormat();
    } catch (RuntimeException e) {
      // a configuration that does not load: the command itself says so, the server in one line, admin in its JSON
      format = "text";
    }
    try {
      // before anything logs: every line in the format asked for (Hazelcast's levels are in logback.xml)
      LogSetup.configure(format);
    } catch (RuntimeException e) {
      System.err.println("Parley could not start: " + e.getMessage());
      System.exit(1);
    }
    Main main = new Main();
    int status = AdminCommand.jsonErrors(new CommandLine(main)).execute(args);
    if (status != 0 || main.server == null) System.exit(status);
  }

  @Override
  public Integer call() {
    try {
      server = ParleyServer.start(ParleyConfig.load());
    } catch (DatabaseUnavailableException e) {
      System.err.println(e.getMessage());
      return 1;
    } catch (RuntimeException e) {
      // e.g. a migration that cannot run, a port in use: one line, the cause, no stack trace
      Throwable cause = e;
      while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
      System.err.println("Parley could not start: " + (cause.getMessage() == null ? cause : cause.getMessage()));
      return 1;
    }
    onStopSignal(server);
    return 0;
  }

  /**
   * {@code TERM} (and {@code INT}, Ctrl-C) start the graceful shutdown, and the process exits 0
   * once it has run. Handling the signal itself, rather than in a shutdown hook, is what lets the
   * exit status be 0: a JVM that exits on TERM reports 143. A shutdown hook still stops the node
   * when the JVM exits for another reason; a stop runs once.
   */
  private static void onStopSignal(ParleyServer server) {
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "parley-shutdown-hook"));
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> new Thread(() -> {
        server.stop();
        System.exit(0);
      }, "parley-shutdown").start());
    }
  }
}
