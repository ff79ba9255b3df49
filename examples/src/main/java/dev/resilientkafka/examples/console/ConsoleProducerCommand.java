package dev.resilientkafka.examples.console;

import static dev.resilientkafka.examples.console.ClientConfigOptions.PROPERTY;
import static dev.resilientkafka.examples.console.ClientConfigOptions.RACK;
import static dev.resilientkafka.examples.console.ClientConfigOptions.TOPIC;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.ResilientProducer;
import dev.resilientkafka.ResilientProducerConfig;
import dev.resilientkafka.examples.CommandIo;
import dev.resilientkafka.examples.ExitCodes;
import dev.resilientkafka.examples.OptionSpec;
import dev.resilientkafka.examples.ParsedOptions;
import dev.resilientkafka.examples.Subcommand;
import dev.resilientkafka.examples.UsageException;
import dev.resilientkafka.examples.console.KeyedLineParser.KeyedLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code resilient-kafka console-producer}: sends each line of stdin to a topic through a {@link
 * ResilientProducer}, reports every record that ends undelivered with its {@link
 * dev.resilientkafka.FailureCause}, and at end of input flushes, closes and prints one summary line.
 * Exit codes: 0 every record delivered; 1 at least one record undelivered or line skipped; 2 usage or
 * configuration error; 3 the bootstrap could not be resolved or the producer failed.
 */
public final class ConsoleProducerCommand implements Subcommand {
  static final String PRODUCER_PROPERTY = "--producer-property";
  static final String PRODUCER_CONFIG = "--producer.config";
  static final String READER_PROPERTY = "--reader-property";
  static final String ACKS = "--request-required-acks";

  private static final String PARSE_KEY = "parse.key";
  private static final String KEY_SEPARATOR = "key.separator";
  private static final String IGNORE_ERROR = "ignore.error";
  private static final Set<String> READER_KEYS = Set.of(PARSE_KEY, KEY_SEPARATOR, IGNORE_ERROR);
  private static final Duration CLOSE_ON_SIGNAL = Duration.ofSeconds(5);

  @Override
  public String name() {
    return "console-producer";
  }

  @Override
  public String summary() {
    return "send lines from stdin to a topic with the resilient producer; report every undelivered record";
  }

  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> options = new ArrayList<>(ClientConfigOptions.bootstrapOptions());
    options.add(OptionSpec.value(TOPIC, "<topic>", "topic to write to (required)"));
    options.add(OptionSpec.repeatable(PRODUCER_PROPERTY, "<key=value>",
        "producer setting: Kafka's producer keys and the resilient.* keys"));
    options.add(OptionSpec.repeatable(ClientConfigOptions.COMMAND_PROPERTY, "<key=value>",
        "same as " + PRODUCER_PROPERTY + " (Kafka 4's name)"));
    options.add(OptionSpec.value(PRODUCER_CONFIG, "<file>", "producer settings from a properties file"));
    options.add(OptionSpec.value(ClientConfigOptions.COMMAND_CONFIG, "<file>", "same as " + PRODUCER_CONFIG
        + " (Kafka 4's name)"));
    options.add(OptionSpec.repeatable(PROPERTY, "<key=value>", "line reader: parse.key=true|false (default false), "
        + "key.separator=<text> (default \\t), ignore.error=true|false (default false)"));
    options.add(OptionSpec.repeatable(READER_PROPERTY, "<key=value>", "same as " + PROPERTY + " (Kafka 4's name)"));
    options.add(OptionSpec.value(ACKS, "<all|-1>", "acks; only all (-1) unless " + PRODUCER_PROPERTY + " "
        + ResilientProducerConfig.AVAILABILITY_MODE + "=true, which also allows 1 and 0"));
    options.add(OptionSpec.value(RACK, "<rack>", "this client's rack, set as client.rack (the producer writes to "
        + "each partition's leader wherever it is; kept for symmetry with the consumer)"));
    return List.copyOf(options);
  }

  @Override
  public String description() {
    return """
        Reads stdin line by line; each line is one record (with parse.key=true: key, separator, value).
        Records wait in the resilient producer's buffer while brokers are down and are retried until
        resilient.delivery.timeout.ms (default 600000); each record that ends undelivered is printed on
        stderr as "undelivered: line <n> (key <k>): cause <FailureCause>: <detail>", with FailureCause one
        of ISR_SHORTFALL, LEADER_UNAVAILABLE, BROKERS_UNREACHABLE, DNS, TIMEOUT, REJECTED, BUFFER_FULL,
        CLOSED. At end of input it flushes, closes and prints on stderr
        "console-producer: sent <n>, delivered <n>, failed <n>".

        acks=all and idempotence are forced by the resilient producer; --request-required-acks 1 or 0
        (or acks in the producer properties) is refused unless resilient.availability.mode=true.

        Exit codes: 0 every record delivered; 1 at least one record undelivered or a line skipped (a
        line without key.separator when parse.key=true and ignore.error=false); 2 usage or configuration
        error; 3 the bootstrap could not be resolved or the producer failed.""";
  }

  @Override
  public int run(ParsedOptions options, CommandIo io) throws UsageException, IOException {
    String topic = options.required(TOPIC);
    Map<String, Object> config = ClientConfigOptions.clientConfig(options, PRODUCER_PROPERTY, PRODUCER_CONFIG);
    Map<String, String> reader = ClientConfigOptions.toolProperties(options, READER_PROPERTY, READER_KEYS);
    KeyedLineParser parser = new KeyedLineParser(ClientConfigOptions.booleanProperty(reader, PARSE_KEY, false),
        ClientConfigOptions.separator(reader, KEY_SEPARATOR, "\t"));
    boolean ignoreError = ClientConfigOptions.booleanProperty(reader, IGNORE_ERROR, false);
    acks(options, config).ifPresent(acks -> config.put("acks", acks));
    options.value(RACK).ifPresent(rack -> config.put("client.rack", rack));
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
      io.err().println("error: cannot bootstrap from " + config.get(ClientConfigOptions.SERVICE_KEY) + ": " + e.getMessage());
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
  private static Optional<String> acks(ParsedOptions options, Map<String, Object> config) throws UsageException {
    Optional<String> given = options.value(ACKS);
    if (given.isEmpty()) {
      return Optional.empty();
    }
    String acks = given.get().trim().toLowerCase(Locale.ROOT);
    if (acks.equals("all") || acks.equals("-1")) {
      return Optional.of("all");
    }
    Object mode = config.get(ResilientProducerConfig.AVAILABILITY_MODE);
    boolean availability = mode != null && mode.toString().trim().equalsIgnoreCase("true");
    if (!acks.equals("1") && !acks.equals("0")) {
      throw new UsageException("invalid value " + given.get() + " for " + ACKS + ": accepted values are all, -1"
          + " (and 1, 0 with " + ResilientProducerConfig.AVAILABILITY_MODE + "=true)");
    }
    if (!availability) {
      throw new UsageException("invalid value " + given.get() + " for " + ACKS + ": accepted values are all, -1;"
          + " the resilient producer forces acks=all so that no acknowledged record is lost. To trade that for"
          + " availability add " + PRODUCER_PROPERTY + " " + ResilientProducerConfig.AVAILABILITY_MODE + "=true");
    }
    return Optional.of(acks);
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
