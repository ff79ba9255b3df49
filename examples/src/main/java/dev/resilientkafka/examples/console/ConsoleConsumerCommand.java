package dev.resilientkafka.examples.console;

import static dev.resilientkafka.examples.console.ClientConfigOptions.PROPERTY;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.ResilientConsumer;
import dev.resilientkafka.examples.BootstrapOptions;
import dev.resilientkafka.examples.ClusterUnreachableException;
import dev.resilientkafka.examples.CommandIo;
import dev.resilientkafka.examples.ExitCodes;
import dev.resilientkafka.examples.HelpOption;
import dev.resilientkafka.examples.ResilientKafkaCli;
import dev.resilientkafka.examples.UsageException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code resilient-kafka console-consumer}: prints the records of a topic on stdout through a {@link
 * ResilientConsumer}, optionally with the broker and rack each partition is fetched from. With {@code
 * --group} it joins the group and commits what it printed; without, it reads every partition without a
 * group (no coordinator, no {@code __consumer_offsets} needed). Exit codes: 0 done (end of {@code
 * --max-messages}, {@code --timeout-ms} without a record, or a signal); 2 usage or configuration error;
 * 3 the bootstrap could not be resolved or the consumer failed.
 */
@Command(
    name = "console-consumer",
    sortOptions = false,
    description = {
      "Print a topic's records with the resilient consumer, optionally with the broker and rack fetched from.",
      "",
      "Prints one line per record on stdout: [Broker:<id> Rack:<rack> Replica:leader|follower] [Partition:<p>] "
          + "[Offset:<o>] [key] value, separated by key.separator. At exit it prints \"Processed a total of <n> "
          + "messages\" on stderr, as Kafka's console consumer does.",
      "",
      "--print-broker: Kafka does not tell which broker a single record came from. What is printed is the broker "
          + "the consumer was fetching that record's partition from when poll() returned it: the preferred read "
          + "replica Kafka's consumer reports (its preferred-read-replica metric, set when the brokers run a "
          + "rack-aware replica.selector.class and --rack matches a replica's rack), otherwise the partition's "
          + "leader; the rack is that broker's broker.rack.",
      "",
      "Without --group, every partition of the topic is assigned and nothing is committed; with --group, the "
          + "consumer subscribes and commits the offsets of the records it printed."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done: --max-messages reached, --timeout-ms without a record, or a signal",
      "2:usage or configuration error",
      "3:the bootstrap could not be resolved (the name and resolver are named) or the consumer failed"
    })
public final class ConsoleConsumerCommand implements Callable<Integer> {
  static final String CONSUMER_PROPERTY = "--consumer-property";
  static final String CONSUMER_CONFIG = "--consumer.config";

  private static final String PRINT_KEY = "print.key";
  private static final String PRINT_VALUE = "print.value";
  private static final String PRINT_PARTITION = "print.partition";
  private static final String PRINT_OFFSET = "print.offset";
  private static final String KEY_SEPARATOR = "key.separator";
  private static final Set<String> FORMATTER_KEYS = Set.of(PRINT_KEY, PRINT_VALUE, PRINT_PARTITION, PRINT_OFFSET, KEY_SEPARATOR);
  private static final Duration POLL = Duration.ofMillis(200);

  @Mixin BootstrapOptions bootstrap;

  @Option(names = "--topic", required = true, paramLabel = "<topic>", description = "topic to read (required)")
  String topic = "";

  @Option(names = "--group", paramLabel = "<group-id>",
      description = "consumer group to join and commit to (default: no group, every partition assigned)")
  @Nullable String group;

  @Option(names = "--from-beginning",
      description = "start at the earliest offset when there is no committed one (default: the latest)")
  boolean fromBeginning;

  @Option(names = {CONSUMER_PROPERTY, "--command-property"}, paramLabel = "<key=value>",
      description = "consumer setting: Kafka's consumer keys and the resilient.* keys (repeatable; "
          + "--command-property is Kafka 4's name)")
  List<String> consumerProperties = new ArrayList<>();

  @Option(names = {CONSUMER_CONFIG, "--command-config"}, paramLabel = "<file>",
      description = "consumer settings from a properties file (--command-config is Kafka 4's name)")
  @Nullable Path consumerConfig;

  @Option(names = {PROPERTY, "--formatter-property"}, paramLabel = "<key=value>",
      description = "output: print.key, print.partition, print.offset (default false), print.value (default true), "
          + "key.separator=<text> (default \\t) (repeatable; --formatter-property is Kafka 4's name)")
  List<String> formatterProperties = new ArrayList<>();

  @Option(names = "--max-messages", paramLabel = "<n>", description = "exit after printing n records (default: no limit)")
  @Nullable Integer maxMessages;

  @Option(names = "--timeout-ms", paramLabel = "<ms>",
      description = "exit when no record arrived for that long (default: wait forever)")
  @Nullable Integer timeoutMs;

  @Option(names = "--rack", paramLabel = "<rack>", description = "this client's rack, set as client.rack: with a "
      + "rack-aware replica selector on the brokers it fetches from a replica in that rack (default: discovered, "
      + "see RackDiscovery)")
  @Nullable String rack;

  @Option(names = "--print-broker", description = "start each line with the broker and rack the record's partition "
      + "is being fetched from (see below)")
  boolean printBroker;

  @Mixin HelpOption help;

  private final CommandIo io;

  ConsoleConsumerCommand(CommandIo io) {
    this.io = io;
  }

  @Override
  public Integer call() throws UsageException, ClusterUnreachableException, InterruptedException {
    Map<String, Object> config = ClientConfigOptions.clientConfig(consumerConfig, CONSUMER_CONFIG,
        consumerProperties, CONSUMER_PROPERTY, bootstrap);
    Map<String, String> formatter = ClientConfigOptions.toolProperties(formatterProperties, FORMATTER_KEYS);
    RecordFormatter format = new RecordFormatter(
        ClientConfigOptions.booleanProperty(formatter, PRINT_KEY, false),
        ClientConfigOptions.booleanProperty(formatter, PRINT_VALUE, true),
        ClientConfigOptions.booleanProperty(formatter, PRINT_PARTITION, false),
        ClientConfigOptions.booleanProperty(formatter, PRINT_OFFSET, false),
        ClientConfigOptions.separator(formatter, KEY_SEPARATOR, "\t"));
    int max = positive(maxMessages, "--max-messages", Integer.MAX_VALUE);
    long timeout = positive(timeoutMs, "--timeout-ms", -1);

    if (group != null) {
      config.put("group.id", group);
    }
    Object groupValue = config.get("group.id");
    String groupId = groupValue == null || groupValue.toString().isBlank() ? null : groupValue.toString();
    if (groupId != null) {
      config.putIfAbsent("enable.auto.commit", "false");
    }
    if (fromBeginning) {
      config.put("auto.offset.reset", "earliest");
    } else {
      config.putIfAbsent("auto.offset.reset", "latest");
    }
    if (rack != null) {
      config.put("client.rack", rack);
    }
    config.putIfAbsent("client.id", "resilient-console-consumer");
    boolean commit = groupId != null && !"true".equalsIgnoreCase(String.valueOf(config.get("enable.auto.commit")).trim());

    ResilientConsumer<String, String> consumer;
    try {
      consumer = ResilientConsumer.<String, String>builder()
          .config(config)
          .keyDeserializer(new StringDeserializer())
          .valueDeserializer(new StringDeserializer())
          .build();
    } catch (ConfigException e) {
      throw new UsageException("invalid consumer configuration: " + e.getMessage());
    } catch (BootstrapException e) {
      io.err().println("error: " + e.getMessage());
      return ExitCodes.UNREACHABLE;
    } catch (KafkaException e) {
      io.err().println("error: cannot create the consumer: " + ResilientKafkaCli.rootCauses(e));
      return ExitCodes.UNREACHABLE;
    }

    CountDownLatch done = new CountDownLatch(1);
    Thread onSignal = new Thread(() -> {
      consumer.wakeup();
      try {
        done.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "console-consumer-shutdown");
    Runtime.getRuntime().addShutdownHook(onSignal);
    long printed = 0;
    try {
      Loop loop = new Loop(consumer, topic, format, printBroker ? new FetchSource(consumer) : null, io, commit);
      printed = loop.run(groupId, max, timeout);
    } catch (WakeupException e) {
      // a signal: end like the end of input
    } finally {
      try {
        consumer.close();
      } finally {
        io.out().flush();
        done.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(onSignal);
        } catch (IllegalStateException e) {
          // already shutting down
        }
      }
    }
    io.err().println("Processed a total of " + printed + " messages");
    return ExitCodes.OK;
  }

  private static int positive(@Nullable Integer value, String option, int fallback) throws UsageException {
    if (value == null) {
      return fallback;
    }
    if (value < 1) {
      throw new UsageException("invalid value " + value + " for " + option + ": must be between 1 and " + Integer.MAX_VALUE);
    }
    return value;
  }

  /** The poll loop of one run. */
  private static final class Loop {
    private final ResilientConsumer<String, String> consumer;
    private final String topic;
    private final RecordFormatter format;
    private final @Nullable FetchSource source;
    private final CommandIo io;
    private final boolean commit;
    private long printed;

    Loop(ResilientConsumer<String, String> consumer, String topic, RecordFormatter format, @Nullable FetchSource source,
        CommandIo io, boolean commit) {
      this.consumer = consumer;
      this.topic = topic;
      this.format = format;
      this.source = source;
      this.io = io;
      this.commit = commit;
    }

    long run(@Nullable String group, int maxMessages, long timeoutMs) {
      long lastRecord = System.nanoTime();
      if (group != null) {
        consumer.subscribe(List.of(topic));
      } else {
        List<TopicPartition> partitions = awaitPartitions(lastRecord, timeoutMs);
        if (partitions.isEmpty()) {
          io.err().println("topic " + topic + " has no partitions (does it exist?) after " + timeoutMs + " ms");
          return 0;
        }
        consumer.assign(partitions);
      }
      while (printed < maxMessages) {
        ConsumerRecords<String, String> records = consumer.poll(POLL);
        if (records.isEmpty()) {
          if (timeoutMs > 0 && elapsedMs(lastRecord) >= timeoutMs) {
            break;
          }
          continue;
        }
        lastRecord = System.nanoTime();
        if (source != null) {
          source.refresh(topic, consumer.brokerRacks());
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
          TopicPartition partition = new TopicPartition(record.topic(), record.partition());
          io.out().println(format.format(record, source == null ? null : source.of(partition)));
          offsets.put(partition, new OffsetAndMetadata(record.offset() + 1));
          if (++printed >= maxMessages) {
            break;
          }
        }
        io.out().flush();
        if (commit) {
          consumer.commitSync(offsets);
        }
      }
      return printed;
    }

    /** The topic's partitions; waits (like Kafka's tool waits for the topic) until {@code timeoutMs}. */
    private List<TopicPartition> awaitPartitions(long start, long timeoutMs) {
      while (true) {
        try {
          List<PartitionInfo> infos = consumer.partitionsFor(topic, POLL.multipliedBy(10));
          if (!infos.isEmpty()) {
            return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
          }
        } catch (TimeoutException e) {
          // no broker answered yet: keep waiting, as for a topic that does not exist yet
        }
        if (timeoutMs > 0 && elapsedMs(start) >= timeoutMs) {
          return List.of();
        }
        try {
          Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return List.of();
        }
      }
    }

    private static long elapsedMs(long since) {
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }
  }
}
