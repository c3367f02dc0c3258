package dev.parley.webhooks;

import dev.parley.auth.Signatures;
import dev.parley.support.DocSnippets;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The signature recipes of docs/webhooks.md, run as documented against signatures Parley makes. */
class WebhookDocsTest {
  static final String SECRET = "4f1c0e8a2b7d9c3e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a";
  static final byte[] BODY = "{\"event\":\"ping\",\"timestamp\":\"2026-11-29T10:00:00.000Z\",\"deliveryId\":\"d\",\"data\":{\"é\":1}}"
    .getBytes(StandardCharsets.UTF_8);

  @Test
  void theJavaSnippetAcceptsParleysSignaturesAndNothingElse() {
    long now = System.currentTimeMillis() / 1000;
    String header = Signatures.sign(SECRET, now, BODY);
    assertThat(DocSnippets.verifyWithJavaSnippet(SECRET, header, BODY, now)).isTrue();
    assertThat(DocSnippets.verifyWithJavaSnippet(SECRET, header, BODY, now + 299)).isTrue();
    assertThat(DocSnippets.verifyWithJavaSnippet(SECRET, header, BODY, now + 301)).isFalse();
    assertThat(DocSnippets.verifyWithJavaSnippet("0" + SECRET.substring(1), header, BODY, now)).isFalse();
    byte[] tampered = BODY.clone();
    tampered[5] = 'X';
    assertThat(DocSnippets.verifyWithJavaSnippet(SECRET, header, tampered, now)).isFalse();
    assertThat(DocSnippets.verifyWithJavaSnippet(SECRET, "t=" + now, BODY, now)).isFalse();
  }

  @Test
  void thePythonSnippetAcceptsParleysSignaturesAndNothingElse() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    String header = Signatures.sign(SECRET, now, BODY);
    String program = DocSnippets.snippet("python") + """

      import sys
      body = sys.stdin.buffer.read()
      secret, header, now = sys.argv[1], sys.argv[2], float(sys.argv[3])
      print(verify_parley_signature(secret, header, body, now), verify_parley_signature(secret, header, body + b" ", now),
            verify_parley_signature(secret, header, body, now + 301), verify_parley_signature(secret[::-1], header, body, now))
      """;
    Path script = Files.createTempFile("verify", ".py");
    Files.writeString(script, program);
    Process p = new ProcessBuilder("python3", script.toString(), SECRET, header, String.valueOf(now)).redirectErrorStream(true).start();
    p.getOutputStream().write(BODY);
    p.getOutputStream().close();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(out).isEqualTo("True False False False");
  }

  @Test
  void theExampleReceiverUsesTheDocumentedRecipe() throws Exception {
    String example = Files.readString(Path.of("examples/webhook_receiver.py"));
    String documented = DocSnippets.snippet("python");
    String body = documented.substring(documented.indexOf("    parts = dict("));
    assertThat(example).contains(body.strip());
  }
}
