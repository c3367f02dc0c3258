package dev.parley.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The settings table of docs/configuration.md is the registry: one row per setting, in the
 * registry's order, with its variable, key, default and meaning, and no row for a setting that is
 * not registered. A setting added without its row turns the build red; the message holds the table
 * to paste.
 */
class ConfigurationTableTest {
  static final Path DOC = Path.of("docs", "configuration.md");
  static final String HEADER = "| variable | key | default | meaning |";

  /** The rows of the table that follows the header line in the document. */
  static List<String> documentedRows() throws Exception {
    List<String> lines = Files.readAllLines(DOC);
    int header = lines.indexOf(HEADER);
    assertThat(header).as(DOC + " has a settings table headed " + HEADER).isNotNegative();
    assertThat(lines.indexOf(HEADER)).as("one settings table").isEqualTo(lines.lastIndexOf(HEADER));
    List<String> rows = new ArrayList<>();
    for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) rows.add(lines.get(i));
    return rows;
  }

  @Test
  void theTableListsEveryRegisteredSettingAndNothingElse() throws Exception {
    List<String> expected = Settings.ALL.stream().map(Setting::tableRow).toList();
    String table = HEADER + "\n|---|---|---|---|\n" + String.join("\n", expected);
    assertThat(documentedRows())
      .as("the settings table of %s must be exactly this (from dev.parley.config.Settings):%n%s%n", DOC, table)
      .containsExactlyElementsOf(expected);
  }

  @Test
  void everyVariableTheCodeReadsIsRegistered() throws Exception {
    // the libpq names and PARLEY_*, HTTP_*, DATABASE_URL and CLUSTER in quotes anywhere in src/main
    List<String> named;
    try (var files = Files.walk(Path.of("src", "main", "java"))) {
      named = files.filter(p -> p.toString().endsWith(".java")).flatMap(p -> {
        try {
          return java.util.regex.Pattern.compile("\"((?:PARLEY_|HTTP_|PG)[A-Z_]+|DATABASE_URL|CLUSTER)\"")
            .matcher(Files.readString(p)).results().map(m -> m.group(1));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).distinct().sorted().toList();
    }
    assertThat(named).as("variable names in src/main").contains("DATABASE_URL", "PGHOST", "PARLEY_EMBEDDED_PG_PORT");
    List<String> registered = Settings.ALL.stream().map(Setting::variable).toList();
    // the tools' variables that the server lets through without being settings
    named = named.stream().filter(n -> !ParleyConfig.NOT_SETTINGS.contains(n)).toList();
    assertThat(registered).as("registered settings").containsAll(named);
    assertThat(registered.stream().collect(Collectors.toSet())).hasSameSizeAs(registered);
  }
}
