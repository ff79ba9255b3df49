package dev.resilientkafka.examples.demo;

import java.io.PrintStream;
import java.util.List;

/** The demo's final table: per producer what the application handed over and what arrived. */
final class SummaryTable {
  private final PrintStream out;

  SummaryTable(PrintStream out) {
    this.out = out;
  }

  void print(List<RateProducer> producers, List<ReadBack> reads) {
    String format = "%-10s %7s %7s %9s %8s %6s %6s %9s %13s  %s%n";
    out.printf(format, "producer", "sent", "acked", "app-error", "arrived", "lost", "dups", "reorders",
        "max ack gap", "errors the application saw");
    for (int i = 0; i < producers.size(); i++) {
      RateProducer producer = producers.get(i);
      ReadBack read = reads.get(i);
      long arrivedOfSent = read.arrivedOf(producer.name());
      long lost = producer.sent() - arrivedOfSent;
      out.printf(format, producer.name(), producer.sent(), producer.acked(), producer.failed(), arrivedOfSent,
          lost, read.duplicates, read.reordered, producer.longestAckGapMillis() + " ms",
          producer.failureCauses().isEmpty() ? "none" : producer.failureCauses().toString());
    }
    out.println("lost = sent by the application - arrived in the topic; app-error = callbacks that reported a failure");
  }
}
