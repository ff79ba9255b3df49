package dev.resilientkafka.examples.console;

import static dev.resilientkafka.examples.console.ClientConfigOptions.PROPERTY;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.ResilientProducerConfig;
import dev.resilientkafka.examples.BootstrapOptions;
import dev.resilientkafka.examples.ClusterUnreachableException;
import dev.resilientkafka.examples.CommandIo;
import dev.resilientkafka.examples.ExitCodes;
import dev.resilientkafka.examples.HelpOption;
import dev.resilientkafka.examples.ResilientKafkaCli;
import dev.resilientkafka.examples.UsageException;
import dev.resilientkafka.examples.console.KeyedLineParser.KeyedLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code resilient-kafka console-producer}: sends each line of stdin to a topic through a {@link
 * ResilientProducer}, reports every record that ends undelivered with its {@link
 * dev.resilientkafka.FailureCause}, and at end of input flushes, closes and prints one summary line.
 * Exit codes: 0 every record delivered; 1 at least one record undelivered or line skipped; 2 usage or
 * configuration error; 3 the bootstrap could not be resolved or the producer failed.
 */
@Command(
    name = "console-producer",
    sortOptions = false,
    description = {
      "Send lines from stdin to a topic with the resilient producer; report every undelivered record.",
      "",
      "Reads stdin line by line; each line is one record (with parse.key=true: key, separator, value). Records "
          + "wait in the resilient producer's buffer while brokers are down and are retried until "
          + "resilient.delivery.timeout.ms (default 600000); each record that ends undelivered is printed on stderr "
          + "as \"undelivered: line <n> (key <k>): cause <FailureCause>: <detail>\", with FailureCause one of "
          + "ISR_SHORTFALL, LEADER_UNAVAILABLE, BROKERS_UNREACHABLE, DNS, TIMEOUT, REJECTED, BUFFER_FULL, CLOSED. "
          + "At end of input it flushes, closes and prints on stderr \"console-producer: sent <n>, delivered <n>, "
          + "failed <n>\".",
      "",
      "acks=all and idempotence are forced by the resilient producer; --request-required-acks 1 or 0 (or acks in "
          + "the producer properties) is refused unless resilient.availability.mode=true."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every record delivered",
      "1:at least one record undelivered, or a line skipped (no key.separator with parse.key=true and "
          + "ignore.error=false)",
      "2:usage or configuration error",
      "3:the bootstrap could not be resolved (the name and resolver are named) or the producer failed"
    })
public final class ConsoleProducerCommand implements Callable<Integer> {
  static final String PRODUCER_PROPERTY = "--producer-property";
  static final String PRODUCER_CONFIG = "--producer.config";
  static final String ACKS = "--request-required-acks";

  private static final String PARSE_KEY = "parse.key";
  private static final String KEY_SEPARATOR = "key.separator";
  private static final String IGNORE_ERROR = "ignore.error";
  private static final Set<String> READER_KEYS = Set.of(PARSE_KEY, KEY_SEPARATOR, IGNORE_ERROR);
  private static final Duration CLOSE_ON_SIGNAL = Duration.ofSeconds(5);

  @Mixin BootstrapOptions bootstrap;

  @Option(names = "--topic", required = true, paramLabel = "<topic>", description = "topic to write to (required)")
  String topic = "";

  @Option(names = {PRODUCER_PROPERTY, "--command-property"}, paramLabel = "<key=value>",
      description = "producer setting: Kafka's producer keys and the resilient.* keys (repeatable; "
          + "--command-property is Kafka 4's name)")
  List<String> producerProperties = new ArrayList<>();

  @Option(names = {PRODUCER_CONFIG, "--command-config"}, paramLabel = "<file>",
      description = "producer settings from a properties file (--command-config is Kafka 4's name)")
  @Nullable Path producerConfig;

  @Option(names = {PROPERTY, "--reader-property"}, paramLabel = "<key=value>",
      description = "line reader: parse.key=true|false (default false), key.separator=<text> (default \\t), "
          + "ignore.error=true|false (default false) (repeatable; --reader-property is Kafka 4's name)")
  List<String> readerProperties = new ArrayList<>();

  @Option(names = ACKS, paramLabel = "<all|-1>", description = "acks; only all (-1) unless " + PRODUCER_PROPERTY
      + " " + ResilientProducerConfig.AVAILABILITY_MODE + "=true, which also allows 1 and 0")
  @Nullable String acks;

  @Option(names = "--rack", paramLabel = "<rack>", description = "this client's rack, set as client.rack (the "
      + "producer writes to each partition's leader wherever it is; kept for symmetry with the consumer)")
  @Nullable String rack;

  @Mixin HelpOption help;

  private final CommandIo io;

  ConsoleProducerCommand(CommandIo io) {
    this.io = io;
  }

  @Override
  public Integer call() throws UsageException, ClusterUnreachableException, IOException {
    Map<String, Object> config = ClientConfigOptions.clientConfig(producerConfig, PRODUCER_CONFIG,
        producerProperties, PRODUCER_PROPERTY, bootstrap);
    Map<String, String> reader = ClientConfigOptions.toolProperties(readerProperties, READER_KEYS);
    KeyedLineParser parser = new KeyedLineParser(ClientConfigOptions.booleanProperty(reader, PARSE_KEY, false),
        ClientConfigOptions.separator(reader, KEY_SEPARATOR, "\t"));
    boolean ignoreError = ClientConfigOptions.booleanProperty(reader, IGNORE_ERROR, false);
    acks(config).ifPresent(value -> config.put("acks", value));
    if (rack != null) {
      config.put("client.rack", rack);
    }
    config.putIfAbsent("client.id", "resilient-console-producer");

    ResilientProducer<String, String> producer;
    try {
      producer = ResilientProducer.<String, String>builder()
          .config(config)
          .serializers(new StringSerializer(), new StringSerializer())
          .build();
    } catch (ConfigException e) {
      throw new UsageException("invalid producer configuration: " + e.getMessage());
    } catch (BootstrapException e) {
      io.err().println("error: " + e.getMessage());
      return ExitCodes.UNREACHABLE;
    } catch (KafkaException e) {
      io.err().println("error: cannot create the producer: " + ResilientKafkaCli.rootCauses(e));
      return ExitCodes.UNREACHABLE;
    }
    DeliveryTally tally = new DeliveryTally(io.err());
    Thread onSignal = new Thread(() -> {
      // Ctrl-C or SIGTERM before end of input: records still buffered end as CLOSED, and are reported
      producer.close(CLOSE_ON_SIGNAL);
      io.err().println(tally.summary());
    }, "console-producer-shutdown");
    Runtime.getRuntime().addShutdownHook(onSignal);
    try {
      sendLines(producer, topic, parser, ignoreError, io, tally);
      producer.flush();
    } finally {
      producer.close();
      removeHook(onSignal);
    }
    io.err().println(tally.summary());
    return tally.allDelivered() ? ExitCodes.OK : ExitCodes.FINDINGS;
  }

  private static void sendLines(Producer<String, String> producer, String topic, KeyedLineParser parser,
      boolean ignoreError, CommandIo io, DeliveryTally tally) throws IOException {
    BufferedReader lines = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8));
    long lineNumber = 0;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      lineNumber++;
      Optional<KeyedLine> parsed = parser.parse(line);
      if (parsed.isEmpty() && !ignoreError) {
        tally.skipped(lineNumber, "no key separator '" + printable(parser.separator()) + "' (parse.key=true; "
            + "set ignore.error=true to send such lines with a null key)");
        continue;
      }
      KeyedLine record = parsed.orElse(new KeyedLine(null, line));
      long number = lineNumber;
      tally.sent();
      try {
        producer.send(new ProducerRecord<>(topic, record.key(), record.value()), (metadata, error) -> {
          if (error == null) {
            tally.delivered();
          } else {
            tally.failed(number, record.key(), error);
          }
        });
      } catch (KafkaException e) {
        // refused at once (buffer full under FAIL, unserializable): the callback is not called
        tally.failed(number, record.key(), e);
      }
    }
  }

  /**
   * The {@code acks} to set from {@link #ACKS}, if given: {@code all}/{@code -1}, or {@code 1}/{@code 0}
   * when the availability mode is on.
   */
  private Optional<String> acks(Map<String, Object> config) throws UsageException {
    if (acks == null) {
      return Optional.empty();
    }
    String value = acks.trim().toLowerCase(Locale.ROOT);
    if (value.equals("all") || value.equals("-1")) {
      return Optional.of("all");
    }
    Object mode = config.get(ResilientProducerConfig.AVAILABILITY_MODE);
    boolean availability = mode != null && mode.toString().trim().equalsIgnoreCase("true");
    if (!value.equals("1") && !value.equals("0")) {
      throw new UsageException("invalid value " + acks + " for " + ACKS + ": accepted values are all, -1"
          + " (and 1, 0 with " + ResilientProducerConfig.AVAILABILITY_MODE + "=true)");
    }
    if (!availability) {
      throw new UsageException("invalid value " + acks + " for " + ACKS + ": accepted values are all, -1;"
          + " the resilient producer forces acks=all so that no acknowledged record is lost. To trade that for"
          + " availability add " + PRODUCER_PROPERTY + " " + ResilientProducerConfig.AVAILABILITY_MODE + "=true");
    }
    return Optional.of(value);
  }

  private static String printable(String separator) {
    return separator.replace("\t", "\\t").replace("\n", "\\n");
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook closes the producer (again, harmlessly)
    }
  }
}
