package dev.parley.secrets;

import dev.parley.common.RandomSecrets;
import dev.parley.config.ConfigException;
import dev.parley.config.Settings;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A secrets file: the JWT keys and the API-key peppers, each list first-is-current.
 *
 * <pre>{"jwtKeys": [{"kid": "k1", "secret": "..."}], "keyPeppers": [{"version": "p1", "secret": "64 hex digits"}]}</pre>
 *
 * <p>A file the group or others may read is refused, as ssh refuses a private key: whoever reads it
 * can sign a token for any company. Files are created with mode 600 from their first byte.
 */
public final class SecretsFile {
  private SecretsFile() {}

  /** What a file holds; a list may be empty when another source gives that kind. */
  public record Contents(List<ServerSecrets.JwtKey> jwtKeys, List<ServerSecrets.Pepper> peppers) {
    public Contents {
      jwtKeys = List.copyOf(jwtKeys);
      peppers = List.copyOf(peppers);
    }

    JsonObject toJson() {
      JsonArray jwt = new JsonArray(), pepper = new JsonArray();
      for (ServerSecrets.JwtKey k : jwtKeys) jwt.add(new JsonObject().put("kid", k.kid()).put("secret", k.secret()));
      for (ServerSecrets.Pepper p : peppers) pepper.add(new JsonObject().put("version", p.version()).put("secret", HexFormat.of().formatHex(p.key())));
      return new JsonObject().put("jwtKeys", jwt).put("keyPeppers", pepper);
    }

    /** The key IDs and pepper versions, never the secrets: what the admin commands print. */
    public JsonObject names() {
      return new JsonObject()
        .put("jwtKeys", new JsonArray(jwtKeys.stream().map(ServerSecrets.JwtKey::kid).toList()))
        .put("keyPeppers", new JsonArray(peppers.stream().map(ServerSecrets.Pepper::version).toList()));
    }
  }

  /** A new JWT key and a new pepper, 32 random bytes each. */
  public static Contents generate() {
    return new Contents(List.of(new ServerSecrets.JwtKey("k1", RandomSecrets.newHex())),
      List.of(new ServerSecrets.Pepper("p1", HexFormat.of().parseHex(RandomSecrets.newHex()))));
  }

  /** Reads and checks a file; a missing, readable-by-others or malformed file is a ConfigException naming it. */
  public static Contents read(Path file, String namedBy) {
    String where = file + " (" + namedBy + ")";
    String text;
    try {
      checkOwnerOnly(file, where);
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("the secrets file " + where + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cannot read the secrets file " + where + ": " + e.getMessage());
    }
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("the secrets file " + where + " is not a JSON object");
    }
    for (String field : json.fieldNames()) {
      if (!field.equals("jwtKeys") && !field.equals("keyPeppers")) {
        throw new ConfigException("unknown key \"" + field + "\" in the secrets file " + where + ": it takes jwtKeys and keyPeppers");
      }
    }
    return new Contents(jwtKeys(json, where), peppers(json, where));
  }

  private static List<ServerSecrets.JwtKey> jwtKeys(JsonObject json, String where) {
    List<ServerSecrets.JwtKey> keys = new ArrayList<>();
    Set<String> kids = new HashSet<>();
    for (JsonObject entry : entries(json, "jwtKeys", where)) {
      String kid = text(entry, "kid"), secret = text(entry, "secret");
      if (kid == null || secret == null || secret.length() < 16 || !kids.add(kid)) {
        throw new ConfigException("\"jwtKeys\" in the secrets file " + where
          + " must be a list of {\"kid\", \"secret\"}, distinct kids, secrets of at least 16 characters");
      }
      keys.add(new ServerSecrets.JwtKey(kid, secret));
    }
    return keys;
  }

  private static List<ServerSecrets.Pepper> peppers(JsonObject json, String where) {
    List<ServerSecrets.Pepper> peppers = new ArrayList<>();
    Set<String> versions = new HashSet<>();
    for (JsonObject entry : entries(json, "keyPeppers", where)) {
      String version = text(entry, "version"), secret = text(entry, "secret");
      byte[] key = null;
      try {
        if (secret != null) key = Settings.pepper(secret);
      } catch (IllegalArgumentException e) {
        key = null;
      }
      if (version == null || key == null || !versions.add(version)) {
        throw new ConfigException("\"keyPeppers\" in the secrets file " + where
          + " must be a list of {\"version\", \"secret\"}, distinct versions, secrets of at least 32 hex digits");
      }
      peppers.add(new ServerSecrets.Pepper(version, key));
    }
    return peppers;
  }

  private static List<JsonObject> entries(JsonObject json, String field, String where) {
    Object value = json.getValue(field);
    if (value == null) return List.of();
    List<JsonObject> entries = new ArrayList<>();
    if (value instanceof JsonArray array) {
      for (Object o : array) {
        if (!(o instanceof JsonObject entry)) break;
        entries.add(entry);
      }
      if (entries.size() == array.size()) return entries;
    }
    throw new ConfigException("\"" + field + "\" in the secrets file " + where + " must be a list of objects");
  }

  private static String text(JsonObject entry, String field) {
    Object value = entry.getValue(field);
    return value instanceof String s && !s.isBlank() ? s : null;
  }

  /** On a POSIX file system: neither group nor others may have any access. */
  private static void checkOwnerOnly(Path file, String where) throws IOException {
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return; // no POSIX modes to check here (the file system's own ACLs decide)
    }
    Set<PosixFilePermission> others = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_EXECUTE);
    if (permissions.stream().anyMatch(others::contains)) {
      throw new ConfigException("the secrets file " + where + " is open to others (" + PosixFilePermissions.toString(permissions)
        + "): only the server's user may read it; chmod 600 it");
    }
  }

  /**
   * Writes a new file, mode 600 from creation, flushed to disk before this returns; an existing file
   * is never overwritten (it may hold the only copy of a deployment's secrets).
   */
  public static void create(Path file, Contents contents) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    byte[] bytes = (contents.toJson().encodePrettily() + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    } catch (FileAlreadyExistsException e) {
      throw new FileAlreadyExistsException(file + " already exists: it is never overwritten");
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
         OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
      out.write(bytes);
      out.flush();
      channel.force(true);
    }
  }
}
