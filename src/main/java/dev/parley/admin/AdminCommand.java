package dev.parley.admin;

import dev.parley.auth.Jwt;
import dev.parley.common.RateLimit;
import dev.parley.auth.Scopes;
import dev.parley.config.ConfigException;
import dev.parley.config.ParleyConfig;
import dev.parley.config.Settings;
import dev.parley.db.DatabaseResolver;
import dev.parley.db.DatabaseSetup;
import dev.parley.db.ResolvedDatabase;
import dev.parley.secrets.SecretSources;
import dev.parley.secrets.SecretsFile;
import dev.parley.secrets.ServerSecrets;
import dev.parley.rules.Rules;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

/**
 * {@code parley admin ...}: bootstrap companies, partners, keys and tokens (SPEC section 4), and
 * show the effective configuration. Each command prints exactly one JSON object on stdout (logs go
 * to stderr), so scripts can parse it: the result, or {@code {"error": {"code", "message"}}} with a
 * non-zero exit status.
 */
@Command(name = "admin", description = "Create companies, ATS partners, API keys, tokens and caller numbers; print the configuration.",
  mixinStandardHelpOptions = true,
  subcommands = {AdminCommand.Company.class, AdminCommand.Partner.class, AdminCommand.Key.class, AdminCommand.Token.class,
    AdminCommand.PhoneNumber.class, AdminCommand.Config.class, AdminCommand.Secrets.class})
public final class AdminCommand {
  /** The environment the configuration is read from: the process's, or one a test gives. */
  private final Map<String, String> env;

  public AdminCommand() {
    this(System.getenv());
  }

  public AdminCommand(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Option(names = "--database-url", description = "postgresql://user:pass@host:port/db (default: as the server finds it)")
  String databaseUrl;

  @Spec
  CommandLine.Model.CommandSpec spec;

  /**
   * Makes command-line mistakes (unknown options, missing ones, both --company and --partner)
   * print the same one-line JSON error as failures of the command itself.
   */
  public static CommandLine jsonErrors(CommandLine cli) {
    return cli.setParameterExceptionHandler((ex, args) -> {
      PrintWriter out = ex.getCommandLine().getOut();
      out.println(new JsonObject().put("error", new JsonObject().put("code", "INVALID_ARGUMENT")
        .put("message", ex.getMessage())).encode());
      out.flush();
      return 2;
    });
  }

  /**
   * The configuration as the server loads it, checked the same way (an admin command reads the
   * same database settings and secrets), with --database-url in place of DATABASE_URL.
   */
  ParleyConfig config() {
    ParleyConfig config = ParleyConfig.load(env);
    return databaseUrl == null ? config : config.withOption("--database-url", Settings.DATABASE_URL, databaseUrl);
  }

  /** Runs one admin action against a migrated database and prints its JSON result. */
  int run(CommandLine.Model.CommandSpec caller, Action action) {
    ParleyConfig config;
    try {
      config = config();
    } catch (ConfigException e) {
      return error(caller, "INVALID_CONFIGURATION", e.getMessage(), 1);
    }
    try (ResolvedDatabase db = DatabaseResolver.resolve(config.env(), config.dataDir())) {
      DatabaseSetup.migrate(db);
      ServerSecrets secrets = DatabaseSetup.secrets(db, config);
      try (AdminStore store = new AdminStore(db, secrets)) {
        return print(caller, action.run(store, secrets, config));
      }
    } catch (UsageError e) {
      return error(caller, "INVALID_ARGUMENT", e.getMessage(), 2);
    } catch (Exception e) {
      return error(caller, "FAILED", e.getMessage(), 1);
    }
  }

  private static int print(CommandLine.Model.CommandSpec caller, JsonObject result) {
    caller.commandLine().getOut().println(result.encode());
    caller.commandLine().getOut().flush();
    return 0;
  }

  private static int error(CommandLine.Model.CommandSpec caller, String code, String message, int status) {
    caller.commandLine().getOut().println(new JsonObject()
      .put("error", new JsonObject().put("code", code).put("message", message)).encode());
    caller.commandLine().getOut().flush();
    return status;
  }

  interface Action {
    JsonObject run(AdminStore store, ServerSecrets secrets, ParleyConfig config) throws Exception;
  }

  static final class UsageError extends RuntimeException {
    UsageError(String message) {
      super(message);
    }
  }

  static UUID id(String value, String what) {
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw new UsageError(what + " must be a UUID, got '" + value + "'");
    }
  }

  /**
   * An option checked by the rule the API applies to the same field ({@link Rules}), with the same
   * message after the option's name; null when the option is absent.
   */
  static <T> T checked(String option, T value, UnaryOperator<T> rule) {
    if (value == null) return null;
    try {
      return rule.apply(value);
    } catch (IllegalArgumentException e) {
      throw new UsageError(option + ": " + e.getMessage());
    }
  }

  static List<String> scopes(String list) {
    List<String> scopes = Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String s : scopes) {
      if (!Scopes.isKnown(s)) throw new UsageError("unknown scope '" + s + "'; known: " + String.join(",", Scopes.ALL));
    }
    if (scopes.isEmpty()) throw new UsageError("--scopes needs at least one scope");
    return scopes;
  }

  /** --company ID or --partner ID, exactly one. */
  static final class Owner {
    @Option(names = "--company", required = true, description = "company ID (a company key)")
    String company;
    @Option(names = "--partner", required = true, description = "ATS partner ID (an ATS key)")
    String partner;

    UUID companyId(AdminStore store) throws java.sql.SQLException {
      UUID id = company == null ? null : id(company, "--company");
      if (id != null && !store.exists("companies", id)) throw new UsageError("no company " + company);
      return id;
    }

    UUID partnerId(AdminStore store) throws java.sql.SQLException {
      UUID id = partner == null ? null : id(partner, "--partner");
      if (id != null && !store.exists("ats_partners", id)) throw new UsageError("no ATS partner " + partner);
      return id;
    }
  }

  @Command(name = "company", description = "Companies.", subcommands = {Company.Create.class, Company.Capacity.class})
  static final class Company {
    @ParentCommand
    AdminCommand admin;

    @Command(name = "create", description = "Create a company; prints {\"id\": ...}.")
    static final class Create implements Callable<Integer> {
      @ParentCommand
      Company parent;
      @Spec
      CommandLine.Model.CommandSpec spec;
      @Option(names = "--name", required = true)
      String name;
      @Option(names = "--max-concurrent-calls", description = "concurrency slots, at least 1 (default 2)")
      Integer maxConcurrentCalls;
      @Option(names = "--timezone", description = "zone of the calling window: IANA name, UTC, or an offset east of UTC such as +05:30 (default UTC)")
      String timezone;
      @Option(names = "--call-window", description = "HH:MM-HH:MM local calling window (default 09:00-20:00)")
      String callWindow;
      @Option(names = "--partner", description = "the ATS partner that owns the company")
      String partner;

      @Override
      public Integer call() {
        return parent.admin.run(spec, (store, secrets, config) -> {
          checked("--max-concurrent-calls", maxConcurrentCalls, Rules::maxConcurrentCalls);
          String zone = checked("--timezone", timezone, Rules::timezone);
          checked("--call-window", callWindow, Rules::callWindow);
          UUID partnerId = partner == null ? null : id(partner, "--partner");
          if (partnerId != null && !store.exists("ats_partners", partnerId)) throw new UsageError("no ATS partner " + partner);
          return new JsonObject().put("id", store.createCompany(name, maxConcurrentCalls, zone, callWindow, partnerId).toString());
        });
      }
    }

    /**
     * A company's capacity, which only the operator changes (docs/api.md, "What a company may
     * change"): the API refuses maxConcurrentCalls from every key with 403.
     */
    @Command(name = "capacity", description = "Set a company's concurrency slots (maxConcurrentCalls); prints the company.")
    static final class Capacity implements Callable<Integer> {
      @ParentCommand
      Company parent;
      @Spec
      CommandLine.Model.CommandSpec spec;
      @Option(names = "--company", required = true, description = "company ID")
      String company;
      @Option(names = "--max-concurrent-calls", required = true, description = "concurrency slots, at least 1")
      Integer maxConcurrentCalls;

      @Override
      public Integer call() {
        return parent.admin.run(spec, (store, secrets, config) -> {
          checked("--max-concurrent-calls", maxConcurrentCalls, Rules::maxConcurrentCalls);
          UUID companyId = id(company, "--company");
          JsonObject updated = store.setCapacity(companyId, maxConcurrentCalls);
          if (updated == null) throw new UsageError("no company " + company);
          return updated;
        });
      }
    }
  }

  @Command(name = "ats-partner", description = "ATS partners.", subcommands = Partner.Create.class)
  static final class Partner {
    @ParentCommand
    AdminCommand admin;

    @Command(name = "create", description = "Create an ATS partner; prints {\"id\": ...}.")
    static final class Create implements Callable<Integer> {
      @ParentCommand
      Partner parent;
      @Spec
      CommandLine.Model.CommandSpec spec;
      @Option(names = "--name", required = true)
      String name;

      @Override
      public Integer call() {
        return parent.admin.run(spec, (store, secrets, config) -> new JsonObject().put("id", store.createPartner(name).toString()));
      }
    }
  }

  @Command(name = "key", description = "API keys.", subcommands = {Key.Create.class, Key.Revoke.class, Key.Suspend.class})
  static final class Key {
    @ParentCommand
    AdminCommand admin;

    @Command(name = "create", description = "Create an API key; prints {\"id\": ..., \"key\": \"sk_live_...\"} (the key is shown only here).")
    static final class Create implements Callable<Integer> {
      @ParentCommand
      Key parent;
      @Spec
      CommandLine.Model.CommandSpec spec;
      @ArgGroup(exclusive = true, multiplicity = "1")
      Owner owner;
      @Option(names = "--name", required = true)
      String name;
      @Option(names = "--scopes", required = true, description = "comma-separated, e.g. read:interviews,write:interviews")
      String scopes;
      @Option(names = "--expires-at", description = "ISO 8601 time with offset")
      String expiresAt;
      @Option(names = "--rate-limit", description = "MINUTE/HOUR requests for this key, 0/0 for none")
      String rateLimit;
      @Option(names = "--test", description = "make an sk_test_ key instead of sk_live_")
      boolean test;

      @Override
      public Integer call() {
        return parent.admin.run(spec, (store, secrets, config) -> {
          List<String> list = scopes(scopes);
          OffsetDateTime expires = null;
          if (expiresAt != null) {
            try {
              expires = OffsetDateTime.parse(expiresAt);
            } catch (DateTimeParseException e) {
              throw new UsageError("--expires-at must be an ISO 8601 time with offset, e.g. 2027-01-01T00:00:00Z");
            }
          }
          RateLimit limit = rateLimit == null ? null : rateLimitOption(rateLimit);
          Integer minute = limit == null ? null : limit.perMinute(), hour = limit == null ? null : limit.perHour();
          UUID companyId = owner.companyId(store), partnerId = owner.partnerId(store);
          UUID keyId = UUID.randomUUID();
          String key = store.createKey(keyId, companyId, partnerId, name, list, expires, minute, hour, !test);
          return new JsonObject().put("id", keyId.toString()).put("key", key);
        });
      }
    }

    @Command(name = "revoke", description = "Revoke a key for good; prints {\"id\": ..., \"revoked\": true}.")
    static final class Revoke implements Callable<Integer> {
      @ParentCommand
      Key parent;
      @Spec
      CommandLine.Model.CommandSpec spec;
      @Parameters(index = "0", paramLabel = "ID")
      String id;

      @Override
      public Integer call() {
        return parent.admin.run(spec, (store, secrets, config) -> {
          if (!store.revokeKey(AdminCommand.id(id, "ID"))) throw new UsageError("no API key " + id);
          return new JsonObject().put("id", id).put("revoked", true);
        });
      }
    }

    @Command(name = "suspend", description = "Suspend a key; prints {\"id\": ..., \"suspended\": true}.")
    static final class Suspend implements Callable<Integer> {
      @ParentCommand
      Key parent;
      @Spec
      CommandLine.Model.CommandSpec spec;
      @Parameters(index = "0", paramLabel = "ID")
      String id;
      @Option(names = "--reason", required = true)
      String reason;

      @Override
      public Integer call() {
        return parent.admin.run(spec, (store, secrets, config) -> {
          if (!store.suspendKey(AdminCommand.id(id, "ID"), reason)) throw new UsageError("no API key " + id);
          return new JsonObject().put("id", id).put("suspended", true);
        });
      }
    }
  }

  @Command(name = "token", description = "Signed JWTs.", subcommands = Token.Create.class)
  static final class Token {
    @ParentCommand
    AdminCommand admin;

    @Command(name = "create", description = "Sign a JWT; prints {\"token\": ...}.")
    static final class Create implements Callable<Integer> {
      @ParentCommand
      Token parent;
      @Spec
      CommandLine.Model.CommandSpec spec;
      @ArgGroup(exclusive = true, multiplicity = "1")
      Owner owner;
      @Option(names = "--scopes", required = true)
      String scopes;
      @Option(names = "--ttl", required = true, description = "lifetime in seconds")
      int ttl;
      @Option(names = "--subject", description = "who the token is for (its sub claim, named in audit rows); "
        + "default company:<ID> or partner:<ID>")
      String subject;
      @Option(names = "--rate-limit", description = "MINUTE/HOUR for this token's subject; default PARLEY_DEFAULT_RATE_LIMIT")
      String rateLimit;

      @Override
      public Integer call() {
        return parent.admin.run(spec, (store, secrets, config) -> {
          List<String> list = scopes(scopes);
          if (ttl < 1) throw new UsageError("--ttl must be at least 1 second");
          if (subject != null && subject.isBlank()) throw new UsageError("--subject must not be blank");
          if (rateLimit != null) rateLimitOption(rateLimit);
          UUID companyId = owner.companyId(store), partnerId = owner.partnerId(store);
          String company = companyId == null ? null : companyId.toString();
          String partner = partnerId == null ? null : partnerId.toString();
          Vertx vertx = Vertx.vertx();
          try {
            String sub = subject != null ? subject : company != null ? "company:" + company : "partner:" + partner;
            return new JsonObject().put("token", Jwt.sign(Jwt.auth(vertx, secrets, config), secrets, config,
              new Jwt.Claims(sub, company, partner, list, rateLimit), ttl));
          } finally {
            vertx.close();
          }
        });
      }
    }
  }

  @Command(name = "phone-number", description = "Caller numbers: what a company's calls show as the caller ID.",
    subcommands = {PhoneNumber.Create.class, PhoneNumber.ListNumbers.class, PhoneNumber.Delete.class})
  static final class PhoneNumber {
    @ParentCommand
    AdminCommand admin;

    @Command(name = "create", description = "Add a caller number to a company; prints "
      + "{\"id\", \"companyId\", \"number\", \"label\", \"providerRef\", \"isDefault\"}.")
    static final class Create implements Callable<Integer> {
      @ParentCommand
      PhoneNumber parent;
      @Spec
      CommandLine.Model.CommandSpec spec;
      @Option(names = "--company", required = true, description = "company ID")
      String company;
      @Option(names = "--number", required = true, description = "the number in E.164 form, e.g. +421915123456")
      String number;
      @Option(names = "--label", description = "a name for people, e.g. \"Sales line\"")
      String label;
      @Option(names = "--provider-ref", description = "the platform's reference of the number (Vapi: its phoneNumberId)")
      String providerRef;
      @Option(names = "--default", description = "the company's default: agents that name no number call from it")
      boolean isDefault;

      @Override
      public Integer call() {
        return parent.admin.run(spec, (store, secrets, config) -> {
          UUID companyId = id(company, "--company");
          if (!store.exists("companies", companyId)) throw new UsageError("no company " + company);
          String e164 = checked("--number", number, Rules::phoneNumber);
          if (providerRef != null && providerRef.isBlank()) throw new UsageError("--provider-ref must not be blank");
          String created = store.createPhoneNumber(companyId, e164, label, providerRef, isDefault);
          if (created == null) throw new UsageError("company " + company + " has the number " + e164 + " already");
          return new JsonObject(created);
        });
      }
    }

    @Command(name = "list", description = "A company's caller numbers; prints {\"items\": [...]}.")
    static final class ListNumbers implements Callable<Integer> {
      @ParentCommand
      PhoneNumber parent;
      @Spec
      CommandLine.Model.CommandSpec spec;
      @Option(names = "--company", required = true, description = "company ID")
      String company;

      @Override
      public Integer call() {
        return parent.admin.run(spec, (store, secrets, config) -> {
          UUID companyId = id(company, "--company");
          if (!store.exists("companies", companyId)) throw new UsageError("no company " + company);
          return new JsonObject().put("items", new io.vertx.core.json.JsonArray(store.phoneNumbers(companyId)));
        });
      }
    }

    @Command(name = "delete", description = "Remove a caller number (agents that named it call from the company's "
      + "default); prints {\"id\": ..., \"deleted\": true}.")
    static final class Delete implements Callable<Integer> {
      @ParentCommand
      PhoneNumber parent;
      @Spec
      CommandLine.Model.CommandSpec spec;
      @Parameters(index = "0", paramLabel = "ID")
      String id;

      @Override
      public Integer call() {
        return parent.admin.run(spec, (store, secrets, config) -> {
          if (!store.deletePhoneNumber(AdminCommand.id(id, "ID"))) throw new UsageError("no phone number " + id);
          return new JsonObject().put("id", id).put("deleted", true);
        });
      }
    }
  }

  @Command(name = "config", description = "The configuration.", subcommands = Config.Print.class)
  static final class Config {
    @ParentCommand
    AdminCommand admin;

    /** Needs no database (no migration either): it works while PostgreSQL is down. */
    @Command(name = "print", description = "Print the effective configuration: every setting's value (secrets masked) and source.")
    static final class Print implements Callable<Integer> {
      @ParentCommand
      Config parent;
      @Spec
      CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() {
        try {
          return print(spec, parent.admin.config().effective());
        } catch (ConfigException e) {
          return error(spec, "INVALID_CONFIGURATION", e.getMessage(), 1);
        }
      }
    }
  }

  @Command(name = "secrets", description = "The server's secrets (JWT keys, API-key peppers), kept outside the database.",
    subcommands = {Secrets.Generate.class, Secrets.Export.class, Secrets.Status.class})
  static final class Secrets {
    @ParentCommand
    AdminCommand admin;

    /** Needs no database: the file every node of a new deployment is given. */
    @Command(name = "generate", description = "Write a new secrets file (mode 600; an existing file is never overwritten); "
      + "prints {\"file\", \"jwtKeys\", \"keyPeppers\"} (names only).")
    static final class Generate implements Callable<Integer> {
      @ParentCommand
      Secrets parent;
      @Spec
      CommandLine.Model.CommandSpec spec;
      @Option(names = "--file", required = true)
      Path file;

      @Override
      public Integer call() {
        SecretsFile.Contents contents = SecretsFile.generate();
        try {
          SecretsFile.create(file, contents);
        } catch (IOException e) {
          return error(spec, "FAILED", e.getMessage(), 1);
        }
        return print(spec, new JsonObject().put("file", file.toString()).mergeIn(contents.names()));
      }
    }

    /**
     * Moves what an earlier version generated into server_secrets out of the database: the file
     * gets them behind the secrets this configuration already has, then the rows are deleted.
     * Runs before the secrets are resolved, since a node would refuse to start on such a database.
     */
    @Command(name = "export", description = "Move the secrets an earlier version kept in PostgreSQL into a new secrets file "
      + "(mode 600), then delete them there; prints {\"file\", \"jwtKeys\", \"keyPeppers\"} (names only).")
    static final class Export implements Callable<Integer> {
      @ParentCommand
      Secrets parent;
      @Spec
      CommandLine.Model.CommandSpec spec;
      @Option(names = "--file", required = true)
      Path file;

      @Override
      public Integer call() {
        ParleyConfig config;
        try {
          config = parent.admin.config();
        } catch (ConfigException e) {
          return error(spec, "INVALID_CONFIGURATION", e.getMessage(), 1);
        }
        try (ResolvedDatabase db = DatabaseResolver.resolve(config.env(), config.dataDir())) {
          DatabaseSetup.migrate(db);
          SecretSources.StoredSecrets stored = DatabaseSetup.stored(db);
          if (!stored.any()) return error(spec, "NOT_FOUND", "this database holds no secrets: there is nothing to export", 1);
          SecretsFile.Contents contents = SecretSources.exported(config, stored);
          SecretsFile.create(file, contents);
          DatabaseSetup.forgetStored(db);
          return print(spec, new JsonObject().put("file", file.toString()).mergeIn(contents.names()));
        } catch (ConfigException e) {
          return error(spec, "INVALID_CONFIGURATION", e.getMessage(), 1);
        } catch (Exception e) {
          return error(spec, "FAILED", e.getMessage(), 1);
        }
      }
    }

    /** What a pepper rotation needs to know: how many keys each pepper version still finds. */
    @Command(name = "status", description = "The JWT key IDs and pepper versions this configuration has, and the API keys "
      + "(not revoked) under each pepper version; prints names and counts, never a secret.")
    static final class Status implements Callable<Integer> {
      @ParentCommand
      Secrets parent;
      @Spec
      CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() {
        return parent.admin.run(spec, (store, secrets, config) -> {
          Map<String, Long> counts = new java.util.TreeMap<>(store.keysByPepperVersion());
          io.vertx.core.json.JsonArray jwt = new io.vertx.core.json.JsonArray(), peppers = new io.vertx.core.json.JsonArray();
          for (ServerSecrets.JwtKey k : secrets.jwtKeys()) {
            jwt.add(new JsonObject().put("kid", k.kid()).put("signs", k == secrets.jwtKeys().get(0)));
          }
          for (ServerSecrets.Pepper p : secrets.peppers()) {
            Long keys = counts.remove(p.version());
            peppers.add(new JsonObject().put("version", p.version()).put("hashesNewKeys", p == secrets.currentPepper())
              .put("keys", keys == null ? 0 : keys));
          }
          // keys whose pepper this configuration lacks: they can no longer be found
          long lost = counts.values().stream().mapToLong(Long::longValue).sum();
          return new JsonObject().put("jwtKeys", jwt).put("keyPeppers", peppers).put("keysUnderMissingPeppers", lost);
        });
      }
    }
  }

  /** --rate-limit MINUTE/HOUR, as the server reads PARLEY_DEFAULT_RATE_LIMIT. */
  static RateLimit rateLimitOption(String text) {
    try {
      return RateLimit.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageError("--rate-limit must look like 60/2000 (0/0 for none): " + e.getMessage());
    }
  }
}
