package dev.resilientkafka.testkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Entry point of every child JVM the testkit starts (controller or broker).
 *
 * <p>It formats the node's log directory on first start, runs {@code kafka.Kafka}, writes the broker's
 * lifecycle state to a small file the parent polls (so readiness means "this incarnation is RUNNING",
 * not "something accepted a TCP connection"), and halts the JVM when the parent's stdin pipe closes, so
 * that a parent killed with SIGKILL does not leave brokers behind.
 *
 * <p>Arguments: {@code <server.properties> <cluster-id> <state-file>}.
 */
public final class NodeMain {
  /** Value of {@code kafka.server:type=KafkaServer,name=BrokerState} when the broker is unfenced and serving. */
  static final int BROKER_STATE_RUNNING = 3;

  private NodeMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: NodeMain <server.properties> <cluster-id> <state-file>");
      Runtime.getRuntime().halt(2);
    }
    String config = args[0];
    String clusterId = args[1];
    Path stateFile = Path.of(args[2]);
    startParentWatchdog();
    format(config, clusterId);
    startStateReporter(stateFile);
    kafka.Kafka.main(new String[] {config});
  }

  private static void format(String config, String clusterId) {
    int rc =
        kafka.tools.StorageTool.execute(
            new String[] {"format", "-t", clusterId, "-c", config, "--ignore-formatted"}, System.out);
    if (rc != 0) {
      System.err.println("testkit: formatting the log directory failed with exit code " + rc);
      Runtime.getRuntime().halt(3);
    }
  }

  /** The parent holds our stdin open for its whole life; EOF means it is gone. */
  private static void startParentWatchdog() {
    Thread watchdog =
        new Thread(
            () -> {
              InputStream in = System.in;
              try {
                while (in.read() >= 0) {
                  // the parent never writes; ignore anything that arrives
                }
              } catch (IOException ignored) {
                // treated like EOF
              }
              System.err.println("testkit: parent process is gone, halting this node");
              Runtime.getRuntime().halt(1);
            },
            "testkit-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  private static void startStateReporter(Path stateFile) {
    Thread reporter =
        new Thread(() -> reportStates(stateFile), "testkit-state-reporter");
    reporter.setDaemon(true);
    reporter.start();
  }

  private static void reportStates(Path stateFile) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    long pid = ProcessHandle.current().pid();
    String last = "";
    try {
      ObjectName name = new ObjectName("kafka.server:type=KafkaServer,name=BrokerState");
      while (true) {
        String state = "STARTING";
        if (server.isRegistered(name)) {
          Object value = server.getAttribute(name, "Value");
          state = value instanceof Number n && n.intValue() == BROKER_STATE_RUNNING ? "RUNNING" : "STATE-" + value;
        }
        if (!state.equals(last)) {
          writeAtomically(stateFile, pid + " " + state + "\n");
          last = state;
        }
        Thread.sleep(100); // polling an in-process gauge; there is no event to wait for
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      PrintStream err = System.err;
      err.println("testkit: state reporter stopped: " + e);
    }
  }

  private static void writeAtomically(Path target, String content) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
