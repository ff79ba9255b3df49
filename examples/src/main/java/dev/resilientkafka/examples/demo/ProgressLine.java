package dev.resilientkafka.examples.demo;

import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/** Prints, every two seconds, what each producer has sent, had acked, buffered and lost, and partition 0's leader and ISR. */
final class ProgressLine implements AutoCloseable {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "demo-progress");
    thread.setDaemon(true);
    return thread;
  });

  ProgressLine(PrintStream out, LocalKafkaCluster cluster, RateProducer plain, RateProducer resilient,
      Supplier<String> phase, long startNanos) {
    timer.scheduleAtFixedRate(() -> out.println(line(cluster, plain, resilient, phase.get(), startNanos)),
        2, 2, TimeUnit.SECONDS);
  }

  private static String line(LocalKafkaCluster cluster, RateProducer plain, RateProducer resilient,
      String phase, long startNanos) {
    long buffered = resilient.producer() instanceof ResilientProducer<?, ?> r ? r.bufferedRecords() : 0;
    return String.format("  %5.1fs | plain sent %4d acked %4d lost %4d | resilient sent %4d acked %4d buffered %4d lost %d | p0 %s",
        (System.nanoTime() - startNanos) / 1e9,
        plain.sent(), plain.acked(), plain.failed(),
        resilient.sent(), resilient.acked(), buffered, resilient.failed(),
        partitionZero(cluster));
  }

  private static String partitionZero(LocalKafkaCluster cluster) {
    try {
      TopicPartitionInfo info = cluster.partitionInfo(new TopicPartition("resilient-orders", 0));
      String leader = info.leader() == null || info.leader().isEmpty() ? "none" : "kafka-" + info.leader().id();
      return "leader " + leader + " ISR " + info.isr().stream().map(n -> n.id()).toList();
    } catch (RuntimeException e) {
      return "leader ? (cluster not answering)";
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
