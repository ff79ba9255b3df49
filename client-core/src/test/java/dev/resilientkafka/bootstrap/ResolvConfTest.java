package dev.resilientkafka.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilientkafka.HeadlessServiceResolver;
import dev.resilientkafka.internal.bootstrap.ResolvConf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** resolv.conf as a pod has it, read through dnsjava's parser; nothing is queried. */
class ResolvConfTest {

  @Test
  void aPodsResolvConfGivesNameserversIpv6IncludedTheSearchListNdotsNamespaceAndDomain(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("resolv.conf");
    Files.writeString(file, """
        # written by the kubelet
        nameserver 10.96.0.10
        nameserver fd00::10
        search kafka-ns.svc.cluster.local svc.cluster.local cluster.local
        options ndots:5
        """);
    ResolvConf conf = ResolvConf.read(file);
    assertThat(conf.nameservers()).containsExactly(
        new InetSocketAddress(InetAddress.getByName("10.96.0.10"), 53), new InetSocketAddress(InetAddress.getByName("fd00::10"), 53));
    assertThat(conf.search()).containsExactly("kafka-ns.svc.cluster.local", "svc.cluster.local", "cluster.local");
    assertThat(conf.ndots()).isEqualTo(5);
    assertThat(conf.namespace()).contains("kafka-ns");
    assertThat(conf.clusterDomain()).contains("cluster.local");
    // an IPv6 nameserver is named in the IPv6-safe form in messages
    assertThat(HeadlessServiceResolver.builder().resolvConf(file).build().dnsServer())
        .isEqualTo("10.96.0.10:53,[fd00:0:0:0:0:0:0:10]:53");
  }

  @Test
  void aMissingFileIsEmptyAndABrokenOneIsNamed(@TempDir Path dir) throws Exception {
    ResolvConf none = ResolvConf.read(dir.resolve("absent"));
    assertThat(none.nameservers()).isEmpty();
    assertThat(none.namespace()).isEmpty();
    Path broken = dir.resolve("broken");
    Files.writeString(broken, "nameserver\n");
    assertThatThrownBy(() -> ResolvConf.read(broken)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(broken.toString()).hasMessageContaining("nameserver line without an address");
  }
}
