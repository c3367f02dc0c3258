package dev.parley.db;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * {@code DATABASE_URL}, the first place SPEC §8 looks for the database: a {@code postgresql://},
 * {@code postgres://} or {@code jdbc:postgresql://} URL read as libpq and pgjdbc read it, with
 * libpq's defaults for what it leaves out. Its own class because the URL carries the password:
 * every error here says what is wrong without quoting any part of the URL.
 */
final class DatabaseUrl {

  private static final String URL_HINT =
      "expected postgresql://user:password@host:5432/database, with special characters in the"
          + " user and password percent-encoded";

  private DatabaseUrl() {}

  /** {@link #parse(String, Map, Path)} with no environment, not looking for libpq's default root certificate. */
  static ResolvedDatabase parse(String url) throws DatabaseUnavailableException {
    return parse(url, Map.of(), null);
  }

  /**
   * Parses a {@code postgresql://}, {@code postgres://} or {@code jdbc:postgresql://} URL; its TLS
   * parameters win over {@code PGSSLMODE} and {@code PGSSLROOTCERT} in {@code env}, as in libpq.
   *
   * <p>Not {@code PgConnectOptions.fromUri} (vertx-pg-client 5.0): it takes no {@code jdbc:} URLs,
   * no upper-case scheme and no unencoded '@' in a password, turns '+' into a space everywhere, drops
   * {@code sslrootcert}, and quotes the whole URL, password included, in its error. Nor {@code
   * fromEnv}: it reads the process environment, not the one given here, and not PGSSLROOTCERT.
   */
  static ResolvedDatabase parse(String url, Map<String, String> env, Path defaultRootCert)
      throws DatabaseUnavailableException {
    String s = url.trim();
    boolean jdbc = false;
    String rest;
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:postgresql://")) {
      jdbc = true;
      rest = s.substring("jdbc:postgresql://".length());
    } else if (lower.startsWith("postgresql://")) {
      rest = s.substring("postgresql://".length());
    } else if (lower.startsWith("postgres://")) {
      rest = s.substring("postgres://".length());
    } else {
      throw badUrl("it must start with postgresql://, postgres:// or jdbc:postgresql://");
    }

    int fragment = rest.indexOf('#');
    if (fragment >= 0) {
      rest = rest.substring(0, fragment);
    }
    // The authority ends at the first '/' or '?'; a '/', '?' or '#' in the password must be encoded.
    int authorityEnd = indexOfAny(rest, "/?");
    String authority = authorityEnd < 0 ? rest : rest.substring(0, authorityEnd);
    String pathAndQuery = authorityEnd < 0 ? "" : rest.substring(authorityEnd);
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String query = q < 0 ? "" : pathAndQuery.substring(q + 1);

    String user = null;
    String password = null;
    String hostPort = authority;
    int at = authority.lastIndexOf('@'); // tolerate an unencoded '@' in the password
    if (at >= 0) {
      String userInfo = authority.substring(0, at);
      hostPort = authority.substring(at + 1);
      int colon = userInfo.indexOf(':');
      if (colon >= 0) {
        user = decode(userInfo.substring(0, colon), false, "user name");
        password = decode(userInfo.substring(colon + 1), false, "password");
      } else {
        user = decode(userInfo, false, "user name");
      }
    }
    if (hostPort.indexOf(',') >= 0) {
      throw badUrl("it names several hosts; Parley needs exactly one");
    }
    String host;
    String portText = null;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw badUrl("an IPv6 address is missing its closing ']'");
      }
      host = hostPort.substring(1, close);
      String after = hostPort.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw badUrl("unexpected characters after the IPv6 address");
        }
        portText = after.substring(1);
      }
    } else {
      int colon = hostPort.lastIndexOf(':');
      if (colon >= 0) {
        host = hostPort.substring(0, colon);
        portText = hostPort.substring(colon + 1);
      } else {
        host = hostPort;
      }
      host = decode(host, false, "host");
      if (host.indexOf(':') >= 0) {
        throw badUrl("the host is not valid (write an IPv6 address in [brackets])");
      }
    }
    String database = path.length() > 1 ? decode(path.substring(1), false, "database name") : null;
    if (database != null && database.indexOf('/') >= 0) {
      throw badUrl("the database name contains '/'");
    }

    // Query parameters: user, password, dbname, host, port and the TLS ones count; others are ignored.
    String sslMode = null;
    String sslRootCert = null;
    boolean jdbcSsl = false;
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq), jdbc, "query parameter").toLowerCase(Locale.ROOT);
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1), jdbc, "query parameter");
      switch (key) {
        case "user" -> user = value;
        case "password" -> password = value;
        case "dbname" -> database = value;
        case "host" -> host = value;
        case "port" -> portText = value;
        case "sslmode" -> sslMode = value;
        case "sslrootcert" -> sslRootCert = value;
        // pgjdbc's older switch: ssl=true without sslmode means verify-full there
        case "ssl" -> jdbcSsl = jdbc && (value.isEmpty() || value.equalsIgnoreCase("true"));
        case "sslcert", "sslkey", "sslpassword" -> throw new DatabaseUnavailableException(
            "DATABASE_URL has " + key + ": client certificates are not supported; the server must accept"
                + " another login (a password) over TLS.");
        default -> {
          // application_name, connect_timeout, ...: not used by Parley
        }
      }
    }
    if (sslMode == null && jdbcSsl) {
      sslMode = "verify-full";
    }
    DatabaseTls tls = DatabaseTls.resolve(sslMode, sslRootCert, env, defaultRootCert);

    int port = DatabaseResolver.DEFAULT_PORT;
    if (portText != null && !portText.isEmpty()) {
      port = PgEnvironment.port(portText);
      if (port < 0) {
        throw badUrl("the port is not a number between 1 and 65535");
      }
    }
    if (user == null || user.isEmpty()) {
      user = OsUser.name();
    }
    if (database == null || database.isEmpty()) {
      database = user;
    }
    String note = null;
    if (host.isEmpty()) {
      host = "localhost";
      note = "no host given, using localhost";
    } else if (host.startsWith("/")) {
      note = "host " + host + " is a socket directory, using localhost";
      host = "localhost";
    }
    return new ResolvedDatabase(
        host, port, database, user, password, ResolvedDatabase.SOURCE_DATABASE_URL, null, note, tls);
  }

  private static DatabaseUnavailableException badUrl(String reason) {
    // Never quote the URL or any part of it: a mis-split URL can put the password anywhere.
    return new DatabaseUnavailableException(
        "DATABASE_URL is not a valid PostgreSQL URL: " + reason + "; " + URL_HINT + ".");
  }

  /** Percent-decodes (UTF-8); {@code plusIsSpace} for JDBC query values, as pgjdbc does. */
  private static String decode(String s, boolean plusIsSpace, String what)
      throws DatabaseUnavailableException {
    if (s.indexOf('%') < 0 && !(plusIsSpace && s.indexOf('+') >= 0)) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw badUrl("the " + what + " has a '%' that is not followed by two hex digits");
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes.write(' ');
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
          b = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        bytes.writeBytes(b);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw badUrl("the " + what + " is not valid UTF-8 once percent-decoded");
    }
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
