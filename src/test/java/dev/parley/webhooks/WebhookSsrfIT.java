package dev.parley.webhooks;

import dev.parley.support.Receiver;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SSRF guard with PARLEY_WEBHOOKS_ALLOW_PRIVATE off. Only loopback is ever a real target here:
 * the other kinds are refused before anything is sent, and the test checks exactly that.
 */
class WebhookSsrfIT {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("ssrf", Map.of("PARLEY_WEBHOOKS_ALLOW_PRIVATE", "false"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void everyKindOfInternalTargetIsRefused() throws Exception {
    Tenant t = server.company("Guarded", "read:webhooks,write:webhooks");
    for (String url : new String[] {"http://127.0.0.1:9/x", "http://[::1]:9/x", "http://localhost:9/x", "http://10.1.2.3/x",
      "http://172.20.0.5/x", "http://192.168.0.10/x", "http://169.254.169.254/latest/meta-data", "http://[fe80::1]/x",
      "http://[fd00::5]/x", "http://224.0.0.251/x", "http://0.0.0.0/x", "http://100.64.1.1/x", "http://[::ffff:10.0.0.1]/x",
      // 127.0.0.1 spelt otherwise: one number, hex, fewer parts, octal
      "http://2130706433/x", "http://0x7f000001/x", "http://127.1/x", "http://0177.0.0.1/x"}) {
      var r = server.post("/webhooks", t.key(), "{\"url\":\"" + url + "\",\"events\":[\"ping\"]}");
      assertThat(r.status()).as(url).isEqualTo(400);
      assertThat(r.body().getJsonObject("error").encode()).as(url).contains("\"field\":\"url\"");
    }
  }

  /** A host name (not written "localhost") that resolves to loopback on this machine. */
  static String loopbackName() throws Exception {
    java.util.List<String> candidates = new java.util.ArrayList<>();
    candidates.add(InetAddress.getLocalHost().getHostName());
    candidates.addAll(java.util.List.of("localhost.localdomain", "ip6-localhost", "ip6-loopback", "localhost."));
    for (String name : candidates) {
      try {
        InetAddress[] all = InetAddress.getAllByName(name);
        if (java.util.Arrays.stream(all).allMatch(InetAddress::isLoopbackAddress)
          && WebhookTargets.invalidUrl("http://" + name + "/x", false) == null) {
          return name;
        }
      } catch (java.net.UnknownHostException e) {
        // try the next one
      }
    }
    throw new AssertionError("no host name other than 'localhost' resolves to loopback here; tried " + candidates);
  }

  @Test
  void aHostNameThatResolvesToLoopbackIsRefusedAtSendTime() throws Exception {
    String host = loopbackName();
    try (Receiver receiver = new Receiver()) {
      Tenant t = server.company("Rebound", "read:webhooks,write:webhooks");
      String url = receiver.url().replace("127.0.0.1", host);
      var created = server.post("/webhooks", t.key(), "{\"url\":\"" + url + "\",\"events\":[\"ping\"]}");
      assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
      JsonObject ping = server.post("/webhooks/" + created.data().getString("id") + "/test", t.key(), null).data();
      assertThat(ping.getBoolean("success")).isFalse();
      assertThat(ping.getString("message")).contains("SSRF");
      assertThat(receiver.hits).isEmpty();
    }
  }
}
