package dev.parley.calls.provider;

import dev.parley.config.ParleyConfig;
import dev.parley.outbound.OutboundRequest;
import io.vertx.core.buffer.Buffer;

import java.util.Locale;

/**
 * How a call's recording is fetched (SPEC section 7, "Recordings fetched safely"): every download
 * goes through the outbound policy with a total deadline (PARLEY_RECORDING_TIMEOUT_MS) and a size
 * limit (PARLEY_RECORDING_MAX_BYTES), follows at most {@link #MAX_REDIRECTS} redirects, each checked
 * against the special-purpose address table, and keeps the content type.
 */
public final class Recordings {
  private Recordings() {}

  static final int MAX_REDIRECTS = 3;

  /**
   * The download of a recording the provider named. Vapi's is its own API's
   * {@code /call/{id}/mono-recording}, which takes the private key and answers a 302 to a
   * short-lived URL: the key goes to the API only (no credential follows a redirect, and the key
   * stays behind), and the API's URL, which the operator configured, skips the address check that
   * the redirect's target gets. Any other URL came from the provider's event and is checked.
   */
  public static OutboundRequest request(ParleyConfig config, String provider, String url) {
    OutboundRequest.Builder request = OutboundRequest.get(url).deadlineMillis(config.recordingTimeoutMillis())
      .maxBodyBytes(config.recordingMaxBytes()).maxRedirects(MAX_REDIRECTS);
    if ("vapi".equals(provider) && config.vapiApiKey() != null && url.startsWith(config.vapiBaseUrl() + "/call/")) {
      request.sensitiveHeader("Authorization", "Bearer " + config.vapiApiKey()).checkTarget(false);
    } else {
      request.checkTarget(true);
    }
    return request.build();
  }

  /**
   * The recording's media type: the one it was served with, unless that says nothing about audio
   * (object stores often serve {@code application/octet-stream}); then read from its first bytes
   * (WAV, MP3, Ogg, FLAC), else the generic one.
   */
  public static String contentType(String served, Buffer head) {
    String type = served == null ? "" : served.split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (type.startsWith("audio/")) return type;
    if (head != null && head.length() >= 12) {
      if (head.getString(0, 4).equals("RIFF") && head.getString(8, 12).equals("WAVE")) return "audio/wav";
      if (head.getString(0, 4).equals("OggS")) return "audio/ogg";
      if (head.getString(0, 4).equals("fLaC")) return "audio/flac";
      if (head.getString(0, 3).equals("ID3") || ((head.getByte(0) & 0xff) == 0xff && (head.getByte(1) & 0xe0) == 0xe0)) return "audio/mpeg";
    }
    return type.isEmpty() ? "application/octet-stream" : type;
  }
}
