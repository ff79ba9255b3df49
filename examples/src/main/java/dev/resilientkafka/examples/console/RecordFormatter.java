package dev.resilientkafka.examples.console;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * Prints a consumed record as Kafka's console consumer does: optional {@code Partition:}/{@code Offset:}
 * fields, then the key and the value, separated by {@code key.separator}; with {@code --print-broker}
 * the broker it is fetched from first. Immutable.
 */
final class RecordFormatter {
  private final boolean printKey;
  private final boolean printValue;
  private final boolean printPartition;
  private final boolean printOffset;
  private final String separator;

  RecordFormatter(boolean printKey, boolean printValue, boolean printPartition, boolean printOffset, String separator) {
    this.printKey = printKey;
    this.printValue = printValue;
    this.printPartition = printPartition;
    this.printOffset = printOffset;
    this.separator = separator;
  }

  /** One output line (without line break); {@code source} is null unless {@code --print-broker} is on. */
  String format(ConsumerRecord<@Nullable String, @Nullable String> record, FetchSource.@Nullable Broker source) {
    StringBuilder line = new StringBuilder();
    if (source != null) {
      line.append(source.describe(separator)).append(separator);
    }
    if (printPartition) {
      line.append("Partition:").append(record.partition()).append(separator);
    }
    if (printOffset) {
      line.append("Offset:").append(record.offset()).append(separator);
    }
    if (printKey) {
      line.append(record.key()).append(separator);
    }
    if (printValue) {
      line.append(record.value());
    } else if (line.length() >= separator.length()) {
      line.setLength(line.length() - separator.length());
    }
    return line.toString();
  }
}
