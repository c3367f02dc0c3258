package dev.parley.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL of its own that accepts TLS connections only: a temporary cluster made with the
 * machine's {@code initdb} (found with {@code pg_config --bindir}, else the newest under
 * /usr/lib/postgresql), {@code ssl=on} with a server certificate for 127.0.0.1 and localhost that a
 * CA made here signed, and a {@code pg_hba.conf} of {@code hostssl} lines only. PostgreSQL does not
 * run as root: as root (CI), the cluster belongs to the OS user {@code postgres} and its commands run
 * through {@code runuser}. Needs openssl and the PostgreSQL server binaries, nothing else.
 */
public final class TlsPostgres implements AutoCloseable {
  /** Addresses the server listens on; its certificate names only the first (and localhost). */
  public static final String NAMED_HOST = "127.0.0.1";
  public static final String UNNAMED_HOST = "127.0.0.2";

  private final Path dir;
  private final Path bin;
  private final int port;
  private final boolean asPostgres;

  private TlsPostgres(Path dir, Path bin, int port, boolean asPostgres) {
    this.dir = dir;
    this.bin = bin;
    this.port = port;
    this.asPostgres = asPostgres;
  }

  /** Makes the certificates and the cluster, starts it and waits until it accepts connections. */
  public static TlsPostgres start() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("parley-pg-tls");
    TlsPostgres pg = new TlsPostgres(dir, binaries(), TestServer.freePort(), root);
    try {
      pg.certificates();
      if (root) {
        UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        try (Stream<Path> files = Files.walk(dir)) {
          for (Path f : files.toList()) Files.setOwner(f, postgres);
        }
      }
      pg.run(true, pg.bin.resolve("initdb").toString(), "-D", pg.data().toString(), "-U", "postgres", "-A", "trust",
        "-E", "UTF8", "--locale=C", "--no-sync");
      Files.writeString(pg.data().resolve("postgresql.conf"), String.join("\n",
        "port = " + pg.port,
        "listen_addresses = '" + NAMED_HOST + "," + UNNAMED_HOST + "'",
        "unix_socket_directories = '" + dir + "'",
        "ssl = on",
        "ssl_cert_file = '" + dir.resolve("server.pem") + "'",
        "ssl_key_file = '" + dir.resolve("server.key") + "'",
        "fsync = off",
        "shared_buffers = 16MB",
        ""), java.nio.file.StandardOpenOption.APPEND);
      // TLS only: a plaintext connection finds no line that lets it in
      Files.writeString(pg.data().resolve("pg_hba.conf"), "local all all trust\nhostssl all all 127.0.0.0/8 trust\n");
      pg.run(true, pg.bin.resolve("pg_ctl").toString(), "-D", pg.data().toString(), "-l", dir.resolve("server.log").toString(),
        "-w", "-t", "60", "start");
      return pg;
    } catch (Exception | AssertionError e) {
      pg.close();
      throw e;
    }
  }

  private static Path binaries() throws Exception {
    try {
      Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.isExecutable(Path.of(out, "initdb"))) {
        return Path.of(out);
      }
    } catch (IOException e) {
      // no pg_config on the PATH: look where Debian and Ubuntu put the server
    }
    Path base = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(base)) {
      try (Stream<Path> versions = Files.list(base)) {
        Path newest = versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
          .orElse(null);
        if (newest != null) return newest;
      }
    }
    throw new AssertionError("no PostgreSQL server binaries (initdb): install the postgresql package, or put pg_config on the PATH");
  }

  /** ca.pem signs server.pem (127.0.0.1 and localhost); other-ca.pem signs nothing here. */
  private void certificates() throws Exception {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=parley-test-db-ca",
      "-keyout", "ca.key", "-out", "ca.pem");
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=parley-test-other-ca",
      "-keyout", "other-ca.key", "-out", "other-ca.pem");
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr");
    Files.writeString(dir.resolve("server.ext"), "subjectAltName = DNS:localhost, IP:" + NAMED_HOST + "\n");
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
      "-extfile", "server.ext", "-out", "server.pem");
    Files.setPosixFilePermissions(dir.resolve("server.key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
  }

  private void openssl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    run(false, command.toArray(String[]::new));
  }

  private void run(boolean postgresUser, String... command) throws Exception {
    List<String> full = new ArrayList<>();
    if (postgresUser && asPostgres) full.addAll(List.of("runuser", "-u", "postgres", "--"));
    full.addAll(List.of(command));
    Process p = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", full) + " failed: " + out);
    }
  }

  private Path data() {
    return dir.resolve("data");
  }

  public int port() {
    return port;
  }

  /** The CA that signed the server's certificate. */
  public Path ca() {
    return dir.resolve("ca.pem");
  }

  /** A CA that did not. */
  public Path otherCa() {
    return dir.resolve("other-ca.pem");
  }

  /** A new, empty database; returns its name. */
  public String createDatabase(String name) throws SQLException {
    try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return name;
  }

  /** A JDBC connection over TLS (the only kind the server accepts), certificate checked against the CA. */
  public Connection connect(String database) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("sslmode", "verify-full");
    p.setProperty("sslrootcert", ca().toString());
    return DriverManager.getConnection("jdbc:postgresql://" + NAMED_HOST + ":" + port + "/" + database, p);
  }

  /** {@code postgresql://postgres@host:port/database}, without any TLS parameter. */
  public String url(String host, String database) {
    return "postgresql://postgres@" + host + ":" + port + "/" + database;
  }

  /** Stops the server and deletes the cluster and the certificates. */
  @Override
  public void close() {
    try {
      if (Files.exists(data().resolve("postmaster.pid"))) {
        run(true, bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "fast", "-w", "-t", "60", "stop");
      }
    } catch (Exception e) {
      throw new IllegalStateException("could not stop the TLS PostgreSQL in " + dir + ": " + e.getMessage(), e);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // already gone
      }
    }
  }
}
