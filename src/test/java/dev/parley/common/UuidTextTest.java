package dev.parley.common;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The scan that checks IDs accepts exactly what the document's pattern accepts. */
class UuidTextTest {
  @Test
  void theDocumentsIdPatternIsTheOneScanned() throws Exception {
    String doc;
    try (var in = UuidTextTest.class.getResourceAsStream("/openapi.json")) {
      doc = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    JsonObject uuid = new JsonObject(doc).getJsonObject("components").getJsonObject("schemas").getJsonObject("Uuid");
    assertThat(uuid.getString("pattern")).isEqualTo(UuidText.PATTERN);
  }

  @Test
  void theScanAgreesWithThePattern() {
    Pattern pattern = Pattern.compile(UuidText.PATTERN);
    List<String> inputs = new ArrayList<>(List.of("", "-", UUID.randomUUID().toString().toUpperCase(),
      UUID.randomUUID() + "\n", " " + UUID.randomUUID(), UUID.randomUUID() + "0",
      UUID.randomUUID().toString().substring(1), UUID.randomUUID().toString().replace("-", ""),
      "00000000-0000-0000-0000-00000000000g", "0000000-00000-0000-0000-000000000000"));
    Random random = new Random(42);
    String alphabet = "0123456789abcdefABCDEF-gG/:@`xyz\u0660";
    for (int n = 0; n < 100_000; n++) {
      char[] c = UUID.randomUUID().toString().toCharArray();
      // one to three characters changed: each one a hex digit, a dash or something else
      for (int k = random.nextInt(3) + 1; k > 0; k--) c[random.nextInt(c.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
      inputs.add(new String(c));
    }
    int accepted = 0;
    for (String s : inputs) {
      boolean expected = pattern.matcher(s).matches();
      assertThat(UuidText.matches(s)).as("%s", s).isEqualTo(expected);
      if (expected) accepted++;
    }
    assertThat(accepted).as("both answers occur").isBetween(1000, inputs.size() - 1000);
  }
}
