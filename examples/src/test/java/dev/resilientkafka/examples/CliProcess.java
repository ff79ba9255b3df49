package dev.resilientkafka.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code resilient-kafka} the way a user does: a new JVM on the test classpath, stdin closed (or
 * given), stdout and stderr captured, the exit code returned. The JVM gets the name-resolution
 * properties of the test JVM, so that it resolves the testkit's pod names as a pod in the cluster would.
 */
public final class CliProcess {
  private static final long TIMEOUT_SECONDS = 60;
  private static final String[] INHERITED = {
    "jdk.net.hosts.file", "sun.net.inetaddr.ttl", "sun.net.inetaddr.negative.ttl", "java.security.properties", "resilientkafka.testkit.dir"
  };

  private CliProcess() {}

  /** What a run printed and returned. */
  public record Result(int exitCode, String stdout, String stderr, long millis) {
    /** For assertion messages. */
    @Override
    public String toString() {
      return "exit " + exitCode + " after " + millis + " ms\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  /** Runs the CLI with these arguments and an empty stdin. */
  public static Result run(String... args) {
    return runWithInput("", args);
  }

  /** Runs the CLI with these arguments, writing {@code stdin} to its standard input and closing it. */
  public static Result runWithInput(String stdin, String... args) {
    return run(stdin, TIMEOUT_SECONDS, "256m", args);
  }

  /** Runs a long subcommand (the demo): a bigger heap and {@code timeoutSeconds} to finish. */
  public static Result runLong(long timeoutSeconds, String... args) {
    return run("", timeoutSeconds, "512m", args);
  }

  private static Result run(String stdin, long timeoutSeconds, String heap, String... args) {
    return runMain(ResilientKafkaCli.class.getName(), "resilient-kafka", stdin, timeoutSeconds, heap, List.of(), args);
  }

  /**
   * Runs {@code mainClass} in a new JVM on the test classpath with this JVM's name-resolution
   * properties, writing {@code stdin} and closing it; {@code label} names the run in the test output.
   */
  public static Result runMain(String mainClass, String label, String stdin, long timeoutSeconds, String heap,
      List<String> jvmOptions, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.addAll(jvmOptions);
    for (String key : INHERITED) {
      String value = System.getProperty(key);
      if (value != null) {
        command.add("-D" + key + "=" + value);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    long start = System.nanoTime();
    try {
      Process process = new ProcessBuilder(command).start();
      CompletableFuture<String> out = drain(process.getInputStream());
      CompletableFuture<String> err = drain(process.getErrorStream());
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError(label + " " + String.join(" ", args) + " did not end within "
            + timeoutSeconds + " s; stdout so far:\n" + out.getNow(""));
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      Result result = new Result(process.exitValue(), out.join(), err.join(), millis);
      System.out.printf("%s %s -> exit %d in %d ms%n%s", label, String.join(" ", args), result.exitCode(),
          millis, result.stdout());
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(() -> {
      try (stream) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        stream.transferTo(buffer);
        return buffer.toString(StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
