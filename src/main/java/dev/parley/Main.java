package dev.parley;

import dev.parley.admin.AdminCommand;
import dev.parley.config.ParleyConfig;
import dev.parley.db.DatabaseUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code java -jar parley.jar} serves the API; {@code java -jar parley.jar admin ...} bootstraps. */
@Command(name = "parley", mixinStandardHelpOptions = true, subcommands = AdminCommand.class,
  description = "Parley: AI phone interviews. Without a subcommand, serves the API.")
public final class Main implements Callable<Integer> {
  private volatile ParleyServer server;

  public static void main(String[] args) {
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
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "parley-shutdown"));
    return 0;
  }
}
