package dev.parley.db;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How every connection to PostgreSQL uses TLS (the pools, Flyway and the admin commands over
 * JDBC): libpq's {@code sslmode} and root certificate, resolved and checked once at start. The
 * modes mean what they mean to libpq:
 *
 * <ul>
 *   <li>{@code disable}: plaintext only;
 *   <li>{@code allow}: plaintext, TLS if the server refuses plaintext;
 *   <li>{@code prefer} (libpq's default, and Parley's): TLS if the server offers it, else plaintext;
 *   <li>{@code require}: TLS only; the certificate is not checked, unless a root certificate is
 *       there (named, or in libpq's default place), when it is checked as {@code verify-ca};
 *   <li>{@code verify-ca}: TLS, with a certificate signed by the root certificate;
 *   <li>{@code verify-full}: as verify-ca, and the certificate names the host connected to.
 * </ul>
 *
 * @param mode the {@code sslmode} asked for
 * @param rootCert the root certificate the server's certificate is checked against, or {@code
 *     null} when it is not checked
 * @param origin where the mode came from, for messages ({@code "from DATABASE_URL"}, {@code "by default"}, ...)
 * @param rootCertOrigin where the root certificate came from ({@code "from PGSSLROOTCERT"}, ...), or
 *     {@code null} with no root certificate
 */
public record DatabaseTls(SslMode mode, Path rootCert, String origin, String rootCertOrigin) {

  /** For the embedded PostgreSQL, which has no TLS. */
  public static final DatabaseTls PLAINTEXT =
      new DatabaseTls(SslMode.DISABLE, null, "for the embedded PostgreSQL, which has no TLS", null);

  static final String MODE_VARIABLE = "PGSSLMODE";
  /** How vertx-pg-client 5.0 fails a connection whose TLS handshake failed: it drops the cause (InitiateSslHandler). */
  static final String VERTX_HANDSHAKE_FAILED = "SSL handshake failed";
  static final String ROOT_CERT_VARIABLE = "PGSSLROOTCERT";

  private static final String MODES =
      Arrays.stream(SslMode.values()).map(m -> m.value).collect(Collectors.joining(", "));

  /** libpq's default root certificate: {@code ~/.postgresql/root.crt}. */
  public static Path defaultRootCert() {
    return Path.of(System.getProperty("user.home"), ".postgresql", "root.crt");
  }

  /**
   * The TLS settings of a connection: the URL's parameters first, then {@code PGSSLMODE} and {@code
   * PGSSLROOTCERT}, then libpq's defaults ({@code prefer}, {@code defaultRootCert} if it exists;
   * {@code null} not to look for one).
   *
   * @param urlMode {@code sslmode} from {@code DATABASE_URL}, or {@code null}
   * @param urlRootCert {@code sslrootcert} from {@code DATABASE_URL}, or {@code null}
   * @throws DatabaseUnavailableException (one line naming the setting) for an unknown mode, a root
   *     certificate that is missing or is not one, or a verify mode with nothing to verify against
   */
  static DatabaseTls resolve(String urlMode, String urlRootCert, Map<String, String> env, Path defaultRootCert)
      throws DatabaseUnavailableException {
    String envMode = nonBlank(env.get(MODE_VARIABLE));
    String origin = urlMode != null ? "from DATABASE_URL" : envMode != null ? "from " + MODE_VARIABLE : "by default";
    SslMode mode = urlMode != null ? parseMode(urlMode, "sslmode in DATABASE_URL")
        : envMode != null ? parseMode(envMode, MODE_VARIABLE) : SslMode.PREFER;

    String envRoot = nonBlank(env.get(ROOT_CERT_VARIABLE));
    String rootText = urlRootCert != null ? urlRootCert : envRoot;
    String rootOrigin = urlRootCert != null ? "from sslrootcert in DATABASE_URL" : "from " + ROOT_CERT_VARIABLE;
    Path root = null;
    if (rootText != null) {
      if (rootText.equals("system")) {
        throw new DatabaseUnavailableException("The root certificate " + rootOrigin + " is 'system' (the system's trusted roots), which Parley"
            + " does not support: name the file of the CA that signed the server's certificate.");
      }
      root = Path.of(rootText).toAbsolutePath();
      checkCertificate(root, rootOrigin);
    } else if (defaultRootCert != null && Files.exists(defaultRootCert)) {
      root = defaultRootCert.toAbsolutePath();
      rootOrigin = "found in libpq's default place";
      checkCertificate(root, rootOrigin);
    }
    boolean checks = mode == SslMode.REQUIRE || mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL;
    if (root == null && (mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL)) {
      throw new DatabaseUnavailableException("sslmode=" + mode.value + " " + origin + " needs a root certificate"
          + " to check the server's certificate against: set sslrootcert in DATABASE_URL or " + ROOT_CERT_VARIABLE
          + " to the CA's file (PEM), or put it in "
          + (defaultRootCert == null ? "~/.postgresql/root.crt" : defaultRootCert + " (not there either)") + ".");
    }
    return checks ? new DatabaseTls(mode, root, origin, root == null ? null : rootOrigin)
        : new DatabaseTls(mode, null, origin, null);
  }

  private static SslMode parseMode(String text, String setting) throws DatabaseUnavailableException {
    for (SslMode m : SslMode.values()) {
      if (m.value.equals(text)) {
        return m; // case-sensitive, as libpq
      }
    }
    throw new DatabaseUnavailableException(
        setting + " is '" + DatabaseUnavailableException.oneLine(text) + "'; expected one of " + MODES + ".");
  }

  private static void checkCertificate(Path file, String origin) throws DatabaseUnavailableException {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new DatabaseUnavailableException(
          "The root certificate " + file + " " + origin + " " + (Files.exists(file) ? "cannot be read." : "does not exist."));
    }
    try (InputStream in = Files.newInputStream(file)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        throw new CertificateException("no certificate");
      }
    } catch (IOException | CertificateException e) {
      throw new DatabaseUnavailableException(
          "The root certificate " + file + " " + origin + " holds no PEM certificate.");
    }
  }

  /** Whether a connection without TLS is refused. */
  public boolean required() {
    return mode == SslMode.REQUIRE || mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL;
  }

  /** What the drivers are told: {@code require} with a root certificate checks it, as {@code verify-ca}. */
  SslMode effectiveMode() {
    return mode == SslMode.REQUIRE && rootCert != null ? SslMode.VERIFY_CA : mode;
  }

  /** Sets the Vert.x client's SSL mode, trust and host-name check. */
  PgConnectOptions applyTo(PgConnectOptions options) {
    SslMode effective = effectiveMode();
    options.setSslMode(effective);
    if (effective == SslMode.DISABLE) {
      return options;
    }
    ClientSSLOptions ssl = new ClientSSLOptions();
    if (rootCert == null) {
      ssl.setTrustAll(true); // allow, prefer and require without a root certificate: encrypted, not checked
    } else {
      ssl.setTrustOptions(new PemTrustOptions().addCertPath(rootCert.toString()));
    }
    if (effective == SslMode.VERIFY_FULL) {
      ssl.setHostnameVerificationAlgorithm("HTTPS"); // the certificate must name the host (DNS name or IP address)
    }
    return options.setSslOptions(ssl);
  }

  /** The JDBC URL's query for pgjdbc, whose parameters have the same names and modes. */
  String jdbcQuery() {
    String query = "sslmode=" + effectiveMode().value;
    if (rootCert != null) {
      query += "&sslrootcert=" + URLEncoder.encode(rootCert.toString(), StandardCharsets.UTF_8);
    }
    return query;
  }

  /** E.g. {@code sslmode=verify-full from PGSSLMODE, root certificate /etc/ca.pem from PGSSLROOTCERT}. */
  public String describe() {
    String text = "sslmode=" + mode.value + " " + origin;
    if (rootCert != null) {
      text += (mode == SslMode.REQUIRE ? ", checked as verify-ca against the root certificate " : ", root certificate ")
          + rootCert + " " + rootCertOrigin;
    }
    return text;
  }

  /**
   * Why a connection failed, in words that point at the TLS setting when TLS was the reason; {@code
   * null} when it was not.
   */
  String tlsReason(Throwable failure, String host) {
    String server = null;
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage();
      if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
        return "the server's certificate is not signed by the root certificate " + rootCert + " " + rootCertOrigin
            + " (sslmode=" + mode.value + " " + origin + ")";
      }
      if (message.contains("could not be verified by hostnameverifier") || message.startsWith("No subject alternative")
          || message.startsWith("No name matching")) {
        return "the server's certificate does not name the host " + host + " (sslmode=" + mode.value + " " + origin
            + " checks that)";
      }
      if (message.contains("does not support SSL") || message.contains("does not handle SSL")) {
        return "the server does not offer TLS, which " + describe() + " needs";
      }
      if (message.equals(VERTX_HANDSHAKE_FAILED)) {
        SslMode effective = effectiveMode();
        return "the TLS handshake failed; " + (rootCert == null ? "with " + describe() + " the certificate is not checked"
            : "with sslmode=" + effective.value + " the server's certificate must be signed by the root certificate " + rootCert
                + (effective == SslMode.VERIFY_FULL ? " and name the host " + host : ""));
      }
      if (message.contains("no encryption")) {
        server = DatabaseUnavailableException.oneLine(message);
      }
    }
    if (server != null && !required()) {
      return "the server refuses connections without TLS (" + server + "); with " + describe()
          + " Parley did not use TLS: set sslmode=require or stronger";
    }
    return null;
  }

  private static String nonBlank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
