package dev.parley.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.joran.util.ConfigurationWatchListUtil;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.net.URL;

/**
 * Sets up the process's logging once, before anything logs: Logback reads its configuration
 * (logback.xml, or the file named by {@code -Dlogback.configurationFile}) again with the format the
 * configuration asks for, and java.util.logging (the JDBC driver; Caffeine through System.Logger)
 * goes through SLF4J, so that every line has that format.
 */
public final class LogSetup {
  private LogSetup() {}

  /** The property logback.xml picks its appender by: {@code text} or {@code json}, as checked (PARLEY_LOG_FORMAT). */
  static final String FORMAT_PROPERTY = "parley.logFormat";

  /** @param format {@code text} or {@code json}, as {@code ParleyConfig.logFormat()} checked it */
  public static void configure(String format) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return; // another SLF4J backend: its own configuration
    URL configuration = ConfigurationWatchListUtil.getMainWatchURL(context);
    if (configuration == null) configuration = LogSetup.class.getResource("/logback.xml");
    context.reset();
    context.putProperty(FORMAT_PROPERTY, format);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(configuration);
    } catch (JoranException e) {
      // Logback prints what is wrong with the file on its own status output
      throw new IllegalStateException("cannot read the logging configuration " + configuration + ": " + e.getMessage(), e);
    }
  }
}
