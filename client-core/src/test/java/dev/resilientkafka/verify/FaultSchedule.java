package dev.resilientkafka.verify;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * A random fault schedule drawn from a seed ({@link Random}), so a failing run is replayed exactly with
 * the same seed. Each step breaks one broker (sometimes two at once: ISR below the minimum, records must
 * wait) for a number of records sent, then heals and waits until every partition is in sync again. Time
 * is measured in records sent by the {@link VerifyingProducer}, not in wall-clock sleeps. Immutable.
 */
final class FaultSchedule {
  /** What a step does to its brokers. */
  enum Kind { STOP, KILL, PAUSE, NEW_IP }

  /** One step: {@code kind} on {@code brokers} for {@code holdRecords} records. */
  record Step(Kind kind, List<Integer> brokers, long holdRecords) {
    @Override
    public String toString() {
      return kind.name() + brokers + "x" + holdRecords;
    }
  }

  private static final Duration WAIT = Duration.ofSeconds(120);

  private final long seed;
  private final List<Step> steps;

  private FaultSchedule(long seed, List<Step> steps) {
    this.seed = seed;
    this.steps = List.copyOf(steps);
  }

  /**
   * Draws {@code count} steps from {@code seed} for a cluster of {@code brokers} brokers; with {@code
   * allowTwoDown}, about one step in five takes two brokers down together.
   */
  static FaultSchedule draw(long seed, int count, int brokers, boolean allowTwoDown) {
    Random random = new Random(seed);
    Kind[] kinds = Kind.values();
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Kind kind = kinds[random.nextInt(kinds.length)];
      int first = random.nextInt(brokers);
      List<Integer> targets = new ArrayList<>(List.of(first));
      if (allowTwoDown && random.nextInt(5) == 0) {
        targets.add((first + 1 + random.nextInt(brokers - 1)) % brokers);
      }
      steps.add(new Step(kind, targets, 50 + random.nextInt(200)));
    }
    return new FaultSchedule(seed, steps);
  }

  long seed() {
    return seed;
  }

  List<Step> steps() {
    return steps;
  }

  /** Runs every step against {@code cluster} while {@code producer} writes. */
  void run(LocalKafkaCluster cluster, VerifyingProducer producer) {
    for (Step step : steps) {
      System.out.printf("seed %d: step %s%n", seed, step);
      for (int id : step.brokers()) {
        switch (step.kind()) {
          case STOP -> cluster.stop(id);
          case KILL -> cluster.kill(id);
          case PAUSE -> cluster.pause(id);
          case NEW_IP -> cluster.restartOnNewIp(id);
        }
      }
      producer.awaitSentMore(step.holdRecords(), WAIT);
      heal(cluster);
    }
  }

  /** Brings every broker back and waits until all partitions are fully in sync. */
  static void heal(LocalKafkaCluster cluster) {
    cluster.healAll(WAIT);
  }

  @Override
  public String toString() {
    return "seed " + seed + " " + steps.stream().map(Step::toString).collect(Collectors.joining(", "));
  }
}
