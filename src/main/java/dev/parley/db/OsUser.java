package dev.parley.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who this process runs as. libpq's defaults use the OS user's name (for the user and the
 * database), and the embedded PostgreSQL refuses to start as root, so Parley must tell root apart
 * before it tries (SPEC §8); both answers live here so that the URL, the {@code PG*} variables, the
 * localhost defaults and the embedded server read them the same way.
 */
final class OsUser {

  private OsUser() {}

  /** The OS user's name, as libpq defaults the user and the database to it; {@code postgres} if unknown. */
  static String name() {
    String name = System.getProperty("user.name");
    return name == null || name.isBlank() ? "postgres" : name;
  }

  /**
   * Whether the process runs as root: the effective uid from {@code /proc/self/status} (Linux),
   * else the uid from {@code com.sun.security.auth.module.UnixSystem}, else {@code user.name}.
   */
  static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          String[] ids = line.substring(4).trim().split("\\s+"); // real, effective, saved, fs
          return ids.length > 1 ? "0".equals(ids[1]) : "0".equals(ids[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    try {
      Class<?> unix = Class.forName("com.sun.security.auth.module.UnixSystem");
      Object system = unix.getConstructor().newInstance();
      return ((Number) unix.getMethod("getUid").invoke(system)).longValue() == 0L;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      // not Unix, or the module is absent
    }
    return "root".equals(System.getProperty("user.name"));
  }
}
