package dev.parley.secrets;

import dev.parley.config.ConfigException;
import dev.parley.config.ParleyConfig;
import dev.parley.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Where a node's secrets come from, each kind (JWT keys, API-key peppers) on its own, first found wins:
 * <ol>
 *   <li>the settings: {@code PARLEY_JWT_KEYS} or {@code PARLEY_JWT_SECRET}; {@code PARLEY_KEY_PEPPERS};</li>
 *   <li>the file {@code PARLEY_SECRETS_FILE} names;</li>
 *   <li>on a single node without {@code DATABASE_URL} only (the embedded default and its like):
 *   {@code secrets.json} in the data directory, generated on first start with a warning.</li>
 * </ol>
 * A node with {@code CLUSTER=true} or a {@code DATABASE_URL} has other nodes, or other machines, to
 * agree with: it refuses to start without its secrets and names the settings.
 *
 * <p>Earlier versions kept a generated pepper and JWT key in the {@code server_secrets} table. Such
 * a database is checked here: its values must be among the node's secrets (so keys and tokens made
 * under them keep working), and the caller then deletes them from the database. A generated data
 * directory file takes them over; elsewhere, {@code admin secrets export} moves them into a file.
 */
public final class SecretSources {
  private static final Logger LOG = LoggerFactory.getLogger(SecretSources.class);

  /** The name of the generated file in the data directory. */
  public static final String DATA_DIR_FILE = "secrets.json";
  /** The version the pepper of an earlier version's server_secrets row takes (V17 names its keys so). */
  public static final String STORED_PEPPER_VERSION = "stored";
  /** The kid the tokens signed with an earlier version's generated key carry. */
  public static final String STORED_JWT_KID = "generated";

  private SecretSources() {}

  /** What an earlier version kept in server_secrets; either may be null. */
  public record StoredSecrets(byte[] pepper, String jwtSecret) {
    public static final StoredSecrets NONE = new StoredSecrets(null, null);

    public boolean any() {
      return pepper != null || jwtSecret != null;
    }

    /** As a secrets file would hold them. */
    public SecretsFile.Contents contents() {
      return new SecretsFile.Contents(
        jwtSecret == null ? List.of() : List.of(new ServerSecrets.JwtKey(STORED_JWT_KID, jwtSecret)),
        pepper == null ? List.of() : List.of(new ServerSecrets.Pepper(STORED_PEPPER_VERSION, pepper)));
    }
  }

  /** Whether this node may keep generated secrets in its data directory: one node, no database named for it. */
  public static boolean singleNodeDefault(ParleyConfig config) {
    String url = config.env().get(Settings.DATABASE_URL.variable());
    return !config.cluster() && (url == null || url.isBlank());
  }

  /** The node's secrets; throws ConfigException, naming the settings, when it cannot have them. */
  public static ServerSecrets resolve(ParleyConfig config, StoredSecrets stored) {
    SecretsFile.Contents configured = configured(config);
    List<ServerSecrets.JwtKey> jwtKeys = new ArrayList<>(configured.jwtKeys());
    List<ServerSecrets.Pepper> peppers = new ArrayList<>(configured.peppers());
    if (jwtKeys.isEmpty() || peppers.isEmpty()) {
      if (!singleNodeDefault(config)) throw missing(config, jwtKeys.isEmpty(), peppers.isEmpty(), stored);
      SecretsFile.Contents generated = dataDirectoryFile(config.dataDir(), stored);
      if (jwtKeys.isEmpty()) jwtKeys.addAll(generated.jwtKeys());
      if (peppers.isEmpty()) peppers.addAll(generated.peppers());
      if (jwtKeys.isEmpty() || peppers.isEmpty()) {
        throw new ConfigException("the secrets file " + config.dataDir().resolve(DATA_DIR_FILE)
          + " lacks " + (jwtKeys.isEmpty() ? "jwtKeys" : "keyPeppers"));
      }
    }
    ServerSecrets secrets = new ServerSecrets(peppers, jwtKeys);
    checkHoldsStored(secrets, stored);
    return secrets;
  }

  /** Each kind from the settings, else from PARLEY_SECRETS_FILE (read only when a kind is missing); either list may be empty. */
  static SecretsFile.Contents configured(ParleyConfig config) {
    List<ServerSecrets.JwtKey> jwtKeys = configuredJwtKeys(config);
    List<ServerSecrets.Pepper> peppers = configuredPeppers(config);
    if (config.secretsFile() != null && (jwtKeys.isEmpty() || peppers.isEmpty())) {
      SecretsFile.Contents file = SecretsFile.read(config.secretsFile(), "PARLEY_SECRETS_FILE");
      if (jwtKeys.isEmpty()) jwtKeys = file.jwtKeys();
      if (peppers.isEmpty()) peppers = file.peppers();
    }
    return new SecretsFile.Contents(jwtKeys, peppers);
  }

  static List<ServerSecrets.JwtKey> configuredJwtKeys(ParleyConfig config) {
    List<ServerSecrets.JwtKey> keys = new ArrayList<>();
    if (config.jwtKeys() != null) {
      for (var pair : config.jwtKeyPairs()) keys.add(new ServerSecrets.JwtKey(pair.getKey(), pair.getValue()));
    } else if (config.jwtSecret() != null) {
      keys.add(new ServerSecrets.JwtKey("default", config.jwtSecret()));
    }
    return keys;
  }

  static List<ServerSecrets.Pepper> configuredPeppers(ParleyConfig config) {
    List<ServerSecrets.Pepper> peppers = new ArrayList<>();
    for (Map.Entry<String, byte[]> pair : config.keyPepperPairs()) peppers.add(new ServerSecrets.Pepper(pair.getKey(), pair.getValue()));
    return peppers;
  }

  /**
   * What {@code admin secrets export} writes: the secrets this configuration has, then those the
   * database held (a JWT key generated when neither has one), so that the file alone is enough.
   */
  public static SecretsFile.Contents exported(ParleyConfig config, StoredSecrets stored) {
    SecretsFile.Contents configured = configured(config);
    List<ServerSecrets.JwtKey> jwtKeys = new ArrayList<>(configured.jwtKeys());
    List<ServerSecrets.Pepper> peppers = new ArrayList<>(configured.peppers());
    for (ServerSecrets.JwtKey key : stored.contents().jwtKeys()) {
      if (jwtKeys.stream().noneMatch(k -> k.secret().equals(key.secret()) || k.kid().equals(key.kid()))) jwtKeys.add(key);
    }
    for (ServerSecrets.Pepper pepper : stored.contents().peppers()) {
      if (peppers.stream().noneMatch(p -> Arrays.equals(p.key(), pepper.key()) || p.version().equals(pepper.version()))) peppers.add(pepper);
    }
    if (jwtKeys.isEmpty()) jwtKeys.addAll(SecretsFile.generate().jwtKeys());
    if (peppers.isEmpty()) peppers.addAll(SecretsFile.generate().peppers());
    return new SecretsFile.Contents(jwtKeys, peppers);
  }

  /** The data directory's file, created on first start (taking over what the database held). */
  private static SecretsFile.Contents dataDirectoryFile(Path dataDir, StoredSecrets stored) {
    Path file = dataDir.resolve(DATA_DIR_FILE);
    if (Files.exists(file)) return SecretsFile.read(file, "generated in PARLEY_DATA_DIR");
    SecretsFile.Contents fresh = SecretsFile.generate();
    SecretsFile.Contents contents = new SecretsFile.Contents(
      stored.jwtSecret() != null ? stored.contents().jwtKeys() : fresh.jwtKeys(),
      stored.pepper() != null ? stored.contents().peppers() : fresh.peppers());
    try {
      SecretsFile.create(file, contents);
    } catch (IOException e) {
      throw new ConfigException("cannot write the generated secrets file " + file + ": " + e.getMessage());
    }
    LOG.warn("Generated the server's secrets into {}{} (mode 600). They sign every token and find every API key: back the file up "
        + "with the data directory. A cluster, or a node on DATABASE_URL, takes them from PARLEY_SECRETS_FILE instead",
      file, stored.any() ? ", taking over those the database held" : "");
    return contents;
  }

  private static ConfigException missing(ParleyConfig config, boolean noJwt, boolean noPepper, StoredSecrets stored) {
    String why = config.cluster() ? "CLUSTER=true" : "DATABASE_URL";
    String what = noJwt && noPepper ? "the server's secrets (JWT keys and API-key peppers)"
      : noJwt ? "its JWT keys (PARLEY_JWT_KEYS or jwtKeys in the secrets file)"
      : "its API-key peppers (PARLEY_KEY_PEPPERS or keyPeppers in the secrets file)";
    String how = stored.any()
      ? "this database still holds an earlier version's: move them out with `java -jar parley.jar admin secrets export --file <path>`"
      : "make them once with `java -jar parley.jar admin secrets generate --file <path>` and give every node that file";
    return new ConfigException("a node with " + why + " takes " + what + " from PARLEY_SECRETS_FILE"
      + (config.secretsFile() == null ? "" : " (" + config.secretsFile() + " lacks them)")
      + " or the environment, never from the database: " + how);
  }

  /**
   * An earlier version's stored pepper or JWT key that the node's secrets lack would silently
   * invalidate every key or token made under it: refused until it is moved into the secrets.
   */
  private static void checkHoldsStored(ServerSecrets secrets, StoredSecrets stored) {
    boolean pepperHeld = stored.pepper() == null || secrets.peppers().stream().anyMatch(p -> Arrays.equals(p.key(), stored.pepper()));
    boolean jwtHeld = stored.jwtSecret() == null || secrets.jwtKeys().stream().anyMatch(k -> k.secret().equals(stored.jwtSecret()));
    if (pepperHeld && jwtHeld) return;
    throw new ConfigException("the database still holds " + (pepperHeld ? "the JWT key" : jwtHeld ? "the API-key pepper" : "the API-key pepper and JWT key")
      + " an earlier version generated (table server_secrets), and this node's secrets lack "
      + (pepperHeld || jwtHeld ? "it" : "them")
      + ": keys and tokens made under them would stop working. Move them into a secrets file with "
      + "`java -jar parley.jar admin secrets export --file <path>` and set PARLEY_SECRETS_FILE to it");
  }
}
