package dev.resilientkafka.examples.doctor;

import dev.resilientkafka.examples.CommandIo;
import dev.resilientkafka.examples.ExitCodes;
import dev.resilientkafka.examples.OptionSpec;
import dev.resilientkafka.examples.ParsedOptions;
import dev.resilientkafka.examples.Subcommand;
import dev.resilientkafka.examples.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;

/**
 * {@code resilient-kafka doctor}: reads the cluster once and prints the {@link DoctorChecks#standard()}
 * table, or with {@code --drain <id>} answers whether that broker can go down now. Exit codes: 0 no
 * FAIL (WARNs allowed) / drain safe; 1 a FAIL / drain unsafe; 2 usage error; 3 cluster unreachable.
 */
public final class DoctorCommand implements Subcommand {
  static final String BOOTSTRAP = "--bootstrap-server";
  static final String COMMAND_CONFIG = "--command-config";
  static final String DRAIN = "--drain";
  static final String TIMEOUT = "--timeout-ms";
  static final int DEFAULT_TIMEOUT_MS = 15_000;

  @Override
  public String name() {
    return "doctor";
  }

  @Override
  public String summary() {
    return "check a live cluster against the high-availability rules, or whether a broker can be drained";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        OptionSpec.value(BOOTSTRAP, "<host:port,...>", "brokers to connect to (required)"),
        OptionSpec.value(COMMAND_CONFIG, "<file>", "client properties for the Admin client (security, timeouts)"),
        OptionSpec.value(DRAIN, "<broker-id>", "only answer: can this broker go down now without any partition "
            + "dropping below min.insync.replicas?"),
        OptionSpec.value(TIMEOUT, "<ms>", "how long to wait for the cluster (default " + DEFAULT_TIMEOUT_MS + ")"));
  }

  @Override
  public String description() {
    StringBuilder rules = new StringBuilder("Rules checked (PASS / WARN / FAIL, with the fix for each WARN and FAIL):\n");
    for (Check check : DoctorChecks.standard()) {
      rules.append(String.format("  %-21s %s%n", check.id(), check.rule()));
    }
    return rules + """

        --drain <id> checks Kafka's own disruption budget: every partition with the broker in its ISR
        must keep min.insync.replicas in-sync replicas without it. It prints "drain broker <id>: yes" or
        "drain broker <id>: no" and the partitions that block it.

        Exit codes: 0 no FAIL (WARNs allowed) or the drain is safe; 1 at least one FAIL or the drain is
        not safe; 2 usage error; 3 the cluster could not be reached or refused a request.""";
  }

  @Override
  public int run(ParsedOptions options, CommandIo io) throws UsageException, InterruptedException {
    String bootstrap = options.required(BOOTSTRAP);
    int timeoutMs = options.intValue(TIMEOUT, DEFAULT_TIMEOUT_MS, 100, 3_600_000);
    Integer drain = options.has(DRAIN) ? options.intValue(DRAIN, -1, 0, Integer.MAX_VALUE) : null;
    Properties props = clientProperties(options, bootstrap, timeoutMs);

    ClusterSnapshot snapshot;
    Admin admin = null;
    try {
      admin = Admin.create(props);
      snapshot = new ClusterSnapshotReader(admin, bootstrap, Duration.ofMillis(timeoutMs)).read();
    } catch (TimeoutException e) {
      io.err().println("error: cannot reach the cluster at " + bootstrap + " within " + timeoutMs
          + " ms: check " + BOOTSTRAP + " and that the brokers are up (" + TIMEOUT + " waits longer)");
      return ExitCodes.UNREACHABLE;
    } catch (ExecutionException e) {
      io.err().println("error: the cluster at " + bootstrap + " refused a request: " + e.getCause());
      return ExitCodes.UNREACHABLE;
    } catch (KafkaException e) {
      io.err().println("error: cannot connect to " + bootstrap + ": " + e.getMessage());
      return ExitCodes.UNREACHABLE;
    } finally {
      if (admin != null) {
        // calls still pending after a timeout must not hold the answer back
        admin.close(Duration.ofSeconds(2));
      }
    }

    if (drain != null) {
      return drain(snapshot, drain, io.out());
    }
    List<Finding> findings = DoctorChecks.run(DoctorChecks.standard(), snapshot);
    io.out().printf("Cluster at %s: %d broker(s), %d topic(s)%n%n", bootstrap, snapshot.brokers().size(),
        snapshot.topics().size());
    FindingsTable.print(findings, io.out());
    return FindingsTable.count(findings, Status.FAIL) > 0 ? ExitCodes.FINDINGS : ExitCodes.OK;
  }

  private static Properties clientProperties(ParsedOptions options, String bootstrap, int timeoutMs)
      throws UsageException {
    Properties props = new Properties();
    if (options.has(COMMAND_CONFIG)) {
      Path file = Path.of(options.required(COMMAND_CONFIG));
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        props.load(reader);
      } catch (IOException e) {
        throw new UsageException("cannot read " + COMMAND_CONFIG + " " + file + ": " + e);
      }
    }
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
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
