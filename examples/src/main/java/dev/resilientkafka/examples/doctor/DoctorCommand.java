package dev.resilientkafka.examples.doctor;

import dev.resilientkafka.examples.BootstrapOptions;
import dev.resilientkafka.examples.ClusterUnreachableException;
import dev.resilientkafka.examples.CommandIo;
import dev.resilientkafka.examples.ExitCodes;
import dev.resilientkafka.examples.HelpOption;
import dev.resilientkafka.examples.PropertiesFile;
import dev.resilientkafka.examples.ResilientKafkaCli;
import dev.resilientkafka.examples.UsageException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code resilient-kafka doctor}: reads the cluster once and prints the {@link DoctorChecks#standard()}
 * table, or with {@code --drain <id>} answers whether that broker can go down now. Exit codes: 0 no
 * FAIL (WARNs allowed) / drain safe; 1 a FAIL / drain unsafe; 2 usage error; 3 cluster unreachable.
 */
@Command(
    name = "doctor",
    sortOptions = false,
    description = {
      "Check a live cluster against the high-availability rules, or whether a broker can be drained.",
      "",
      "Prints one row per finding (PASS / WARN / FAIL, with the fix for each WARN and FAIL) after a line with "
          + "the brokers registered, fenced and expected. A broker that is registered but fenced (stopped) or "
          + "silent is a FAIL. Expected brokers: --expected-brokers, else the pods the headless Service lists "
          + "when --bootstrap-service is given. Kubernetes publishes only ready pods unless the Service has "
          + "publishNotReadyAddresses: true, so give --expected-brokers (your StatefulSet's replicas) to catch a "
          + "broker pod that is not ready.",
      "",
      "--drain <id> checks Kafka's own disruption budget: every partition with the broker in its ISR must keep "
          + "min.insync.replicas in-sync replicas without it. It prints \"drain broker <id>: yes\" or \"drain "
          + "broker <id>: no\" and the partitions that block it."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no FAIL (WARNs allowed), or the drain is safe",
      "1:at least one FAIL, or the drain is not safe",
      "2:usage error: unknown option, missing or invalid value",
      "3:the cluster could not be reached (a name that does not resolve, no broker answering within "
          + "--timeout-ms) or refused a request"
    })
public final class DoctorCommand implements Callable<Integer> {
  static final String COMMAND_CONFIG = "--command-config";
  static final String DRAIN = "--drain";
  static final String TIMEOUT = "--timeout-ms";
  static final String EXPECTED = "--expected-brokers";
  static final int DEFAULT_TIMEOUT_MS = 15_000;

  @Mixin BootstrapOptions bootstrap;

  @Option(names = COMMAND_CONFIG, paramLabel = "<file>",
      description = "client properties for the Admin client (security, timeouts)")
  @Nullable Path commandConfig;

  @Option(names = EXPECTED, paramLabel = "<n>", description = "how many brokers there should be (your "
      + "StatefulSet's replicas); default the pods the headless Service lists, when " + "--bootstrap-service is given")
  @Nullable Integer expectedBrokers;

  @Option(names = DRAIN, paramLabel = "<broker-id>", description = "only answer: can this broker go down now "
      + "without any partition dropping below min.insync.replicas?")
  @Nullable Integer drain;

  @Option(names = TIMEOUT, paramLabel = "<ms>", defaultValue = "" + DEFAULT_TIMEOUT_MS,
      description = "how long to wait for the cluster (default ${DEFAULT-VALUE})")
  int timeoutMs;

  @Mixin HelpOption help;

  private final CommandIo io;

  DoctorCommand(CommandIo io) {
    this.io = io;
  }

  /** The rules, one line each, for the footer of {@code --help}. */
  public static List<String> rules() {
    return DoctorChecks.standard().stream().map(check -> String.format("  %-21s %s", check.id(), check.rule()))
        .toList();
  }

  @Override
  public Integer call() throws UsageException, ClusterUnreachableException, InterruptedException {
    if (timeoutMs < 100 || timeoutMs > 3_600_000) {
      throw new UsageException("invalid value " + timeoutMs + " for " + TIMEOUT + ": must be between 100 and 3600000");
    }
    if (drain != null && drain < 0) {
      throw new UsageException("invalid value " + drain + " for " + DRAIN + ": must be a broker id (0 or more)");
    }
    if (expectedBrokers != null && expectedBrokers < 1) {
      throw new UsageException("invalid value " + expectedBrokers + " for " + EXPECTED + ": must be 1 or more");
    }
    Map<String, Object> config = commandConfig == null ? new HashMap<>()
        : new HashMap<>(PropertiesFile.read(COMMAND_CONFIG, commandConfig));
    bootstrap.applyTo(config);
    BootstrapOptions.Resolved servers = BootstrapOptions.resolve(config);
    Properties props = clientProperties(config, servers.servers(), timeoutMs);

    ClusterSnapshot snapshot;
    Admin admin = null;
    try {
      admin = Admin.create(props);
      snapshot = new ClusterSnapshotReader(admin, servers.servers(), Duration.ofMillis(timeoutMs)).read();
    } catch (TimeoutException e) {
      io.err().println("error: cannot reach the cluster at " + servers.servers() + " (" + servers.source() + ") within "
          + timeoutMs + " ms: check that the brokers are up and the address is right (" + TIMEOUT + " waits longer)");
      return ExitCodes.UNREACHABLE;
    } catch (ExecutionException e) {
      io.err().println("error: the cluster at " + servers.servers() + " refused a request: "
          + ResilientKafkaCli.rootCauses(e.getCause()));
      return ExitCodes.UNREACHABLE;
    } catch (KafkaException e) {
      io.err().println("error: cannot connect to " + servers.servers() + " (" + servers.source() + "): "
          + ResilientKafkaCli.rootCauses(e));
      return ExitCodes.UNREACHABLE;
    } finally {
      if (admin != null) {
        // calls still pending after a timeout must not hold the answer back
        admin.close(Duration.ofSeconds(2));
      }
    }
    if (expectedBrokers != null) {
      snapshot = snapshot.expecting(expectedBrokers, EXPECTED);
    } else if (servers.servicePods() > 0) {
      snapshot = snapshot.expecting(servers.servicePods(), "the pods of " + config.get(BootstrapOptions.SERVICE_KEY) + " in DNS");
    }

    if (drain != null) {
      return drain(snapshot, drain, io.out());
    }
    List<Finding> findings = DoctorChecks.run(DoctorChecks.standard(), snapshot);
    io.out().println(header(snapshot, servers.source()));
    io.out().println();
    FindingsTable.print(findings, io.out());
    return FindingsTable.count(findings, Status.FAIL) > 0 ? ExitCodes.FINDINGS : ExitCodes.OK;
  }

  /** {@code Cluster at ...: 3 broker(s) registered, 1 fenced (2), 3 expected (--expected-brokers); 4 topic(s)}. */
  private static String header(ClusterSnapshot snapshot, String source) {
    List<BrokerView> notServing = snapshot.brokersNotServing();
    return String.format("Cluster at %s (%s): %d broker(s) registered, %d serving, %s; %d topic(s)",
        snapshot.bootstrap(), source, snapshot.brokers().size(), snapshot.brokers().size() - notServing.size(),
        (notServing.isEmpty() ? "none fenced" : notServing.size() + " not serving ("
            + notServing.stream().map(BrokerView::describe).collect(Collectors.joining(", ")) + ")")
            + (snapshot.expectedBrokers() > 0
                ? ", " + snapshot.expectedBrokers() + " expected (" + snapshot.expectedSource() + ")"
                : ", expected unknown (" + EXPECTED + ")"),
        snapshot.topics().size());
  }

  private static Properties clientProperties(Map<String, Object> config, String servers, int timeoutMs) {
    Properties props = new Properties();
    config.forEach((key, value) -> {
      // the resilient.* keys are this tool's, not the Admin client's
      if (!key.startsWith("resilient.")) {
        props.put(key, value);
      }
    });
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "resilient-kafka-doctor");
    props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(timeoutMs));
    props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(Math.min(timeoutMs, 30_000)));
    return props;
  }

  private static int drain(ClusterSnapshot snapshot, int brokerId, PrintStream out) throws UsageException {
    DrainVerdict verdict;
    try {
      verdict = DrainPlanner.plan(snapshot, brokerId);
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid value " + brokerId + " for " + DRAIN + ": " + e.getMessage());
    }
    String who = snapshot.broker(brokerId).map(BrokerView::describe).orElse(Integer.toString(brokerId));
    if (verdict.safe()) {
      out.printf("drain broker %d: yes%n", brokerId);
      out.printf("Broker %s can go down now: no partition drops below min.insync.replicas "
          + "(%d partition(s) have a replica on it).%n", who, verdict.hostedPartitions());
    } else {
      out.printf("drain broker %d: no%n", brokerId);
      out.printf("Broker %s cannot go down now: %d partition(s) would drop below min.insync.replicas "
          + "and refuse acks=all writes:%n%n", who, verdict.blockers().size());
      printPartitions(verdict.blockers(), out);
      TreeSet<Integer> missing = new TreeSet<>();
      for (DrainVerdict.Blocker b : verdict.blockers()) {
        b.replicas().stream().filter(r -> !b.isr().contains(r)).forEach(missing::add);
      }
      out.println();
      out.println("fix: wait until the out-of-sync replicas " + (missing.isEmpty() ? "" : "on brokers " + missing + " ")
          + "rejoin the ISR (their brokers up and caught up), then drain; or drain another broker.");
    }
    if (!verdict.alreadyBelow().isEmpty()) {
      out.printf("%nAlready below min.insync.replicas without broker %d (acks=all writes fail now):%n", brokerId);
      printPartitions(verdict.alreadyBelow(), out);
    }
    return verdict.safe() ? ExitCodes.OK : ExitCodes.FINDINGS;
  }

  private static void printPartitions(List<DrainVerdict.Blocker> partitions, PrintStream out) {
    int width = Math.max("PARTITION".length(), partitions.stream()
        .mapToInt(b -> (b.topic() + "-" + b.partition()).length()).max().orElse(0));
    String row = "  %-" + width + "s  %-12s %-12s %-7s %s%n";
    out.printf(row, "PARTITION", "REPLICAS", "ISR", "MIN-ISR", "ISR-AFTER");
    for (DrainVerdict.Blocker b : partitions) {
      out.printf(row, b.topic() + "-" + b.partition(), b.replicas(), b.isr(), b.minIsr(), b.isrAfter());
    }
  }
}
