package dev.parley.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.parley.config.ParleyConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * How a node joins its cluster (SPEC section 9, docs/cluster.md): the Hazelcast configuration
 * (name, bind address, port, TCP-IP member list or Kubernetes discovery, never multicast) and the
 * event bus's options (address, port, optional TLS with mutual authentication). A setting that
 * cannot work stops the start with one line that names it.
 */
public final class ClusterSettings {
  private ClusterSettings() {}

  /** Hazelcast's configuration for this node, on top of vertx-hazelcast's own (its __vertx.* maps). */
  public static Config hazelcast(ParleyConfig config, Consumer<Config> extra) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(config.clusterName());
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(config.clusterPort()).setPortAutoIncrement(true);
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    String host = config.clusterHost();
    if (config.clusterKubernetes()) {
      if (isLoopback(host)) {
        throw new IllegalArgumentException("PARLEY_CLUSTER_KUBERNETES=true needs PARLEY_CLUSTER_HOST set to the pod's IP "
          + "(the downward API's status.podIP), not " + host);
      }
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true);
      if (config.clusterKubernetesService() != null) {
        join.getKubernetesConfig().setProperty("service-name", config.clusterKubernetesService());
      }
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(config.clusterMembers());
    }
    // bind and announce this address only, not every interface
    hz.setProperty("hazelcast.local.localAddress", address(host));
    hz.setProperty("hazelcast.socket.bind.any", "false");
    extra.accept(hz);
    return hz;
  }

  /** The event bus's transport: its own TCP server, optionally TLS with client certificates required. */
  public static EventBusOptions eventBus(ParleyConfig config) {
    EventBusOptions bus = new EventBusOptions().setHost(config.clusterHost()).setPort(config.clusterBusPort())
      .setClusterPublicHost(config.clusterHost());
    String cert = config.clusterTlsCert(), key = config.clusterTlsKey(), ca = config.clusterTlsCa();
    int given = (cert == null ? 0 : 1) + (key == null ? 0 : 1) + (ca == null ? 0 : 1);
    if (given == 0) return bus;
    if (given < 3) {
      throw new IllegalArgumentException("event-bus TLS needs all of PARLEY_CLUSTER_TLS_CERT, PARLEY_CLUSTER_TLS_KEY and "
        + "PARLEY_CLUSTER_TLS_CA (given: " + (cert == null ? "" : "CERT ") + (key == null ? "" : "KEY ") + (ca == null ? "" : "CA") + ")");
    }
    for (String[] file : new String[][] {{"PARLEY_CLUSTER_TLS_CERT", cert}, {"PARLEY_CLUSTER_TLS_KEY", key}, {"PARLEY_CLUSTER_TLS_CA", ca}}) {
      if (!Files.isReadable(Path.of(file[1]))) throw new IllegalArgumentException(file[0] + ": cannot read " + file[1]);
    }
    // Both directions are checked: a node accepts only peers whose certificate the CA signed
    // (client auth required), and connects only to peers that present one.
    return bus.setSsl(true)
      .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert).setKeyPath(key))
      .setTrustOptions(new PemTrustOptions().addCertPath(ca))
      .setClientAuth(ClientAuth.REQUIRED);
  }

  private static String address(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("PARLEY_CLUSTER_HOST: unknown host " + host);
    }
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
