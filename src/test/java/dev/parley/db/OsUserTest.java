package dev.parley.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OsUserTest {

  private static final String OS_USER = System.getProperty("user.name");

  @Test
  void rootDetectionFollowsTheEffectiveUid() throws IOException {
    assertThat(OsUser.isRoot()).isEqualTo(euidIsZero());
  }

  private static boolean euidIsZero() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return "root".equals(OS_USER);
    }
    return Files.readAllLines(status).stream()
        .filter(l -> l.startsWith("Uid:"))
        .map(l -> l.substring(4).trim().split("\\s+")[1])
        .anyMatch("0"::equals);
  }
}
