package dev.resilientkafka.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A description of the machine the suite ran on: cores, memory, JDK, load, {@code nproc}, {@code free -h}. */
public final class MachineInfo {
  private MachineInfo() {}

  /** Markdown lines describing this machine now. */
  public static String describe() {
    StringBuilder text = new StringBuilder();
    text.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version")).append('\n');
    text.append("- OS: ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
        .append(' ').append(System.getProperty("os.arch")).append('\n');
    text.append("- Available processors (JVM): ").append(Runtime.getRuntime().availableProcessors()).append('\n');
    text.append("- System load average (1 min): ")
        .append(String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())).append('\n');
    text.append("- `nproc`: ").append(run(List.of("nproc")).trim()).append('\n');
    text.append("- `uptime`: ").append(run(List.of("uptime")).trim()).append('\n');
    text.append("- CPU: ").append(run(List.of("sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")).trim())
        .append('\n');
    text.append("- `free -h`:\n\n```\n").append(run(List.of("free", "-h")).stripTrailing()).append("\n```\n");
    return text.toString();
  }

  /** The 1-minute load average, or -1 when unknown. */
  public static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static String run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      process.waitFor(10, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "(" + command.get(0) + " not available: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }
}
