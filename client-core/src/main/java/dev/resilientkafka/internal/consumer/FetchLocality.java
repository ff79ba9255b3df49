package dev.resilientkafka.internal.consumer;

import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.jspecify.annotations.Nullable;

/**
 * Which brokers a consumer fetches from, from its own per-connection metrics: {@code consumer-node-metrics}
 * / {@code incoming-byte-total} tagged {@code node-id=node-<id>}. Fetch responses are nearly all of a
 * consumer's incoming bytes, so these totals measure where records come from; bootstrap connections
 * (negative ids) and group-coordinator connections ({@code Integer.MAX_VALUE - id}) are left out.
 * Stateless and thread-safe (a consumer's {@code metrics()} may be read from any thread).
 */
public final class FetchLocality {
  private static final String GROUP = "consumer-node-metrics";
  private static final String NAME = "incoming-byte-total";
  private static final int COORDINATOR_IDS = Integer.MAX_VALUE / 2;

  private FetchLocality() {}

  /** Bytes received from each broker since the consumer started, by broker id. */
  public static Map<Integer, Long> bytesByBroker(Map<MetricName, ? extends Metric> metrics) {
    Map<Integer, Long> bytes = new TreeMap<>();
    metrics.forEach((name, metric) -> {
      if (!GROUP.equals(name.group()) || !NAME.equals(name.name())) {
        return;
      }
      String node = name.tags().get("node-id");
      if (node == null || !node.startsWith("node-")) {
        return;
      }
      int id;
      try {
        id = Integer.parseInt(node.substring("node-".length()));
      } catch (NumberFormatException e) {
        return;
      }
      if (id < 0 || id >= COORDINATOR_IDS) {
        return;
      }
      if (metric.metricValue() instanceof Number value) {
        bytes.merge(id, value.longValue(), Long::sum);
      }
    });
    return bytes;
  }

  /** Share of {@code bytes} from brokers whose rack is {@code rack}; NaN without a rack or without bytes. */
  public static double sameRackShare(Map<Integer, Long> bytes, Map<Integer, String> racks, @Nullable String rack) {
    if (rack == null) {
      return Double.NaN;
    }
    long total = 0;
    long local = 0;
    for (Map.Entry<Integer, Long> entry : bytes.entrySet()) {
      total += entry.getValue();
      if (rack.equals(racks.get(entry.getKey()))) {
        local += entry.getValue();
      }
    }
    return total == 0 ? Double.NaN : (double) local / total;
  }
}
