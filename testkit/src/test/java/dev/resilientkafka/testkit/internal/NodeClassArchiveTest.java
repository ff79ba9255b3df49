package dev.resilientkafka.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive is recorded from one JVM that runs Kafka's classes, written by a background JVM, and then
 * mapped by the next JVM: Kafka's classes come from it instead of the jars.
 */
class NodeClassArchiveTest {

  @Test
  void kafkaClassesComeFromTheArchiveOnceItIsWritten(@TempDir Path directory) throws Exception {
    List<String> jars = jars();
    NodeClassArchive archive = new NodeClassArchive(jars, directory);

    assertThat(archive.jvmOptions(false, () -> true)).as("a controller, before any archive").isEmpty();
    List<String> record = archive.jvmOptions(true, () -> true);
    assertThat(record).singleElement().asString().startsWith("-XX:DumpLoadedClassList=");
    assertThat(archive.jvmOptions(true, () -> true)).as("a second broker while the first records").isEmpty();
    assertThat(new NodeClassArchive(jars, directory).jvmOptions(true, () -> true))
        .as("another JVM's broker while this one holds the lock")
        .isEmpty();
    assertThat(kafkaMainSource(jars, record)).isEqualTo("kafka.Kafka source: file:" + kafkaJar(jars));

    assertThat(archive.write().get(3, TimeUnit.MINUTES)).as("archive written").isTrue();
    assertThat(archive.path()).isNotEmptyFile();
    assertThat(lockOf(archive)).as("the lock, once the archive is written").doesNotExist();

    List<String> map = archive.jvmOptions(false, () -> true);
    assertThat(map).contains("-XX:SharedArchiveFile=" + archive.path());
    assertThat(kafkaMainSource(jars, map)).isEqualTo("kafka.Kafka source: shared objects file");
  }

  @Test
  void aListRecordedByABrokerThatIsNotRunningIsNotWrittenAndTheNextBrokerRecords(@TempDir Path directory)
      throws Exception {
    NodeClassArchive archive = new NodeClassArchive(jars(), directory);
    assertThat(archive.jvmOptions(true, () -> false)).singleElement().asString().startsWith("-XX:DumpLoadedClassList=");

    assertThat(archive.write().get(1, TimeUnit.SECONDS)).as("written from a broker that never ran").isFalse();
    assertThat(archive.path()).doesNotExist();
    assertThat(lockOf(archive)).doesNotExist();
    assertThat(archive.jvmOptions(true, () -> true)).as("the next broker").singleElement().asString()
        .startsWith("-XX:DumpLoadedClassList=");
  }

  @Test
  void aWriteThatFailedIsNotTriedAgainForADay(@TempDir Path directory) throws Exception {
    List<String> jars = jars();
    NodeClassArchive archive = new NodeClassArchive(jars, directory);
    assertThat(archive.jvmOptions(true, () -> true)).singleElement().asString().startsWith("-XX:DumpLoadedClassList=");

    // no node wrote the list it was told to: nothing to write the archive from
    assertThat(archive.write().get(1, TimeUnit.MINUTES)).as("written from a list no node wrote").isFalse();
    assertThat(archive.path()).doesNotExist();
    assertThat(lockOf(archive)).doesNotExist();
    assertThat(new NodeClassArchive(jars, directory).jvmOptions(true, () -> true))
        .as("another JVM's broker after the failure")
        .isEmpty();
  }

  @Test
  void aNodeGivenABrokenArchiveStartsWithoutIt(@TempDir Path directory) throws Exception {
    Path broken = Files.writeString(directory.resolve("broken.jsa"), "not an archive");
    List<String> jars = jars();
    assertThat(kafkaMainSource(jars, List.of("-XX:SharedArchiveFile=" + broken, "-Xshare:auto")))
        .isEqualTo("kafka.Kafka source: file:" + kafkaJar(jars));
  }

  @Test
  void aLineTheNodeIsStillWritingIsLeftOut() {
    assertThat(NodeClassArchive.completeLines("java/lang/Object id: 0\njava/lang/Str"))
        .isEqualTo("java/lang/Object id: 0\n");
    assertThat(NodeClassArchive.completeLines("java/lang/Obj")).isEmpty();
    assertThat(NodeClassArchive.completeLines("a\nb\n")).isEqualTo("a\nb\n");
  }

  private static List<String> jars() {
    List<String> jars = NodeProcess.recordedJars();
    assertThat(jars).as("the Kafka jars recorded at build time").isNotNull().isNotEmpty();
    return jars;
  }

  private static Path lockOf(NodeClassArchive archive) {
    return archive.path().resolveSibling(archive.path().getFileName().toString().replace(".jsa", ".lock"));
  }

  private static String kafkaJar(List<String> jars) {
    return jars.stream().filter(jar -> jar.contains("kafka_2.13")).findFirst().orElseThrow();
  }

  /** Runs {@code kafka.Kafka --version} with the options; returns where the JVM loaded {@code kafka.Kafka} from. */
  private static String kafkaMainSource(List<String> jars, List<String> options) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(options);
    command.add("-Xlog:class+load=info");
    command.add("-cp");
    command.add(String.join(java.io.File.pathSeparator, jars));
    command.add("kafka.Kafka");
    command.add("--version");
    Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(java.waitFor(60, TimeUnit.SECONDS)).as("kafka.Kafka --version ended").isTrue();
      assertThat(java.exitValue()).as("exit code of kafka.Kafka --version; output:%n%s", output).isZero();
      return output.lines()
          .filter(line -> line.contains(" kafka.Kafka source: "))
          .map(line -> line.substring(line.indexOf("kafka.Kafka source: ")))
          .findFirst()
          .orElse("kafka.Kafka not loaded");
    } finally {
      java.destroyForcibly();
    }
  }
}
