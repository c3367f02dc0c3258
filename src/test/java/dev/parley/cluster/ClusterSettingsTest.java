package dev.parley.cluster;

import com.hazelcast.config.Config;
import dev.parley.config.ParleyConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the cluster settings become Hazelcast's configuration and the event bus's options. */
class ClusterSettingsTest {
  static ParleyConfig config(Map<String, String> env) {
    return ParleyConfig.load(env);
  }

  @Test
  void tcpIpJoinOnTheGivenHostWithoutMulticast() {
    Config hz = ClusterSettings.hazelcast(config(Map.of("PARLEY_CLUSTER_NAME", "acme", "PARLEY_CLUSTER_MEMBERS",
      "127.0.0.1:6001,127.0.0.1:6002", "PARLEY_CLUSTER_PORT", "6001")), c -> c.setProperty("extra", "yes"));
    assertThat(hz.getClusterName()).isEqualTo("acme");
    assertThat(hz.getNetworkConfig().getPort()).isEqualTo(6001);
    assertThat(hz.getNetworkConfig().isPortAutoIncrement()).isTrue();
    assertThat(hz.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(hz.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isTrue();
    assertThat(hz.getNetworkConfig().getJoin().getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:6001", "127.0.0.1:6002");
    assertThat(hz.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled()).isFalse();
    assertThat(hz.getProperty("hazelcast.local.localAddress")).isEqualTo("127.0.0.1");
    assertThat(hz.getProperty("extra")).isEqualTo("yes");
    // vertx-hazelcast's own maps are kept
    assertThat(hz.getMultiMapConfigs()).containsKey("__vertx.subs");
  }

  @Test
  void kubernetesDiscoveryNeedsThePodsAddress() {
    assertThatThrownBy(() -> ClusterSettings.hazelcast(config(Map.of("PARLEY_CLUSTER_KUBERNETES", "true")), c -> { }))
      .hasMessageContaining("PARLEY_CLUSTER_HOST");
    Config hz = ClusterSettings.hazelcast(config(Map.of("PARLEY_CLUSTER_KUBERNETES", "true", "PARLEY_CLUSTER_HOST", "10.1.2.3",
      "PARLEY_CLUSTER_KUBERNETES_SERVICE", "parley-cluster")), c -> { });
    assertThat(hz.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled()).isTrue();
    assertThat(hz.getNetworkConfig().getJoin().getKubernetesConfig().getProperty("service-name")).isEqualTo("parley-cluster");
    assertThat(hz.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isFalse();
  }

  @Test
  void eventBusTlsTakesAllThreeFilesOrNone(@TempDir Path dir) throws Exception {
    EventBusOptions plain = ClusterSettings.eventBus(config(Map.of()));
    assertThat(plain.isSsl()).isFalse();
    assertThat(plain.getHost()).isEqualTo("127.0.0.1");
    Path cert = Files.writeString(dir.resolve("node.pem"), "x"), key = Files.writeString(dir.resolve("node.key"), "x"),
      ca = Files.writeString(dir.resolve("ca.pem"), "x");
    assertThatThrownBy(() -> ClusterSettings.eventBus(config(Map.of("PARLEY_CLUSTER_TLS_CERT", cert.toString()))))
      .hasMessageContaining("PARLEY_CLUSTER_TLS_KEY").hasMessageContaining("PARLEY_CLUSTER_TLS_CA");
    assertThatThrownBy(() -> ClusterSettings.eventBus(config(Map.of("PARLEY_CLUSTER_TLS_CERT", cert.toString(),
      "PARLEY_CLUSTER_TLS_KEY", key.toString(), "PARLEY_CLUSTER_TLS_CA", dir.resolve("missing.pem").toString()))))
      .hasMessageContaining("PARLEY_CLUSTER_TLS_CA: cannot read");
    EventBusOptions tls = ClusterSettings.eventBus(config(Map.of("PARLEY_CLUSTER_TLS_CERT", cert.toString(),
      "PARLEY_CLUSTER_TLS_KEY", key.toString(), "PARLEY_CLUSTER_TLS_CA", ca.toString())));
    assertThat(tls.isSsl()).isTrue();
    assertThat(tls.getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
  }
}
