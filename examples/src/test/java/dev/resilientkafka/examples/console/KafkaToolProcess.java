package dev.resilientkafka.examples.console;

import dev.resilientkafka.examples.CliProcess;
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
 * Runs one of Apache Kafka's own command-line tools ({@code org.apache.kafka.tools.ConsoleProducer},
 * {@code org.apache.kafka.tools.consumer.ConsoleConsumer}) in a new JVM on the test classpath, with the
 * same name-resolution properties as {@link CliProcess}, so that it reaches the testkit's pods by name.
 */
final class KafkaToolProcess {
  static final String CONSOLE_PRODUCER = "org.apache.kafka.tools.ConsoleProducer";
  static final String CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer";
  private static final long TIMEOUT_SECONDS = 60;
  private static final String[] INHERITED = {"jdk.net.hosts.file", "sun.net.inetaddr.ttl", "java.security.properties", "sun.net.inetaddr.negative.ttl"};

  private KafkaToolProcess() {}

  /** Runs {@code mainClass} with {@code args}, writing {@code stdin} and closing it. */
  static CliProcess.Result run(String mainClass, String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    command.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka=error");
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
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError(mainClass + " did not end within " + TIMEOUT_SECONDS + " s");
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      CliProcess.Result result = new CliProcess.Result(process.exitValue(), out.join(), err.join(), millis);
      System.out.printf("%s %s -> exit %d in %d ms%n%s", mainClass, String.join(" ", args), result.exitCode(), millis,
          result.stdout());
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
