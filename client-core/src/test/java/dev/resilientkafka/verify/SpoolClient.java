package dev.resilientkafka.verify;

import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.ResilientProducerConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The producing application of the spool tests, in its own JVM: a {@link ResilientProducer} with a
 * durable spool sending {@code count} keyed records ({@code k<n % 12>}, value {@code <run>-k<key>-<seq>})
 * at {@code rate} records a second, printing {@code ACCEPTED <value>} once each {@code send()} returned,
 * then {@code SENT}, then {@code DRAINED} once the spool is empty; then it waits for its stdin to close
 * (or to be killed) and prints the spool's state at start as {@code STATUS ...}.
 *
 * <p>Arguments: spool dir, bootstrap servers, topic, run name, count, rate, fsync policy, [memory bytes].
 */
public final class SpoolClient {
  private SpoolClient() {}

  public static void main(String[] args) throws Exception {
    String dir = args[0];
    String bootstrap = args[1];
    String topic = args[2];
    String run = args[3];
    int count = Integer.parseInt(args[4]);
    int rate = Integer.parseInt(args[5]);
    String fsync = args[6];
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrap);
    config.put(ResilientProducerConfig.SPOOL_DIR, dir);
    config.put(ResilientProducerConfig.SPOOL_FSYNC, fsync);
    if (args.length > 7) {
      config.put(ResilientProducerConfig.BUFFER_MAX_BYTES, Long.parseLong(args[7]));
    }
    ResilientProducer<String, String> producer = ResilientProducer.<String, String>builder()
        .config(config).serializers(new StringSerializer(), new StringSerializer()).build();
    producer.spoolStatus().ifPresent(s -> System.out.println("STATUS records=" + s.records() + " recovered="
        + s.recoveredAtStart() + " torn=" + s.tornTailsRepairedAtStart()));
    System.out.flush();
    int[] seq = new int[12];
    long next = System.nanoTime();
    long interval = 1_000_000_000L / Math.max(1, rate);
    StringBuilder lines = new StringBuilder();
    for (int n = 0; n < count; n++) {
      int key = n % 12;
      String value = run + "-k" + key + "-" + seq[key]++;
      producer.send(new ProducerRecord<>(topic, "k" + key, value));
      lines.append("ACCEPTED ").append(value).append('\n');
      if (lines.length() > 4_000 || n == count - 1) {
        System.out.print(lines);
        System.out.flush();
        lines.setLength(0);
      }
      next += interval;
      LockSupport.parkNanos(Math.max(0, next - System.nanoTime())); // pacing
    }
    System.out.println("SENT");
    System.out.flush();
    while (producer.spoolStatus().orElseThrow().records() > 0) {
      LockSupport.parkNanos(50_000_000L); // polling the spool's state for the parent test
    }
    System.out.println("DRAINED");
    System.out.flush();
    while (System.in.read() >= 0) {
      // until the parent closes stdin
    }
    producer.close(Duration.ofSeconds(10));
    System.out.println("END");
    System.out.flush();
  }
}
