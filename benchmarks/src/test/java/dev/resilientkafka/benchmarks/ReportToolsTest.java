package dev.resilientkafka.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The percentile, timeline, markdown and chart code of the suite, without any cluster (milliseconds). */
class ReportToolsTest {

  @Test
  void percentilesAreNearestRank() {
    LatencyRecorder recorder = new LatencyRecorder();
    for (int ms = 100; ms >= 1; ms--) {
      recorder.record(ms * 1_000_000L);
    }
    assertThat(recorder.count()).isEqualTo(100);
    assertThat(recorder.percentileMillis(50)).isEqualTo(50.0);
    assertThat(recorder.percentileMillis(99)).isEqualTo(99.0);
    assertThat(recorder.percentileMillis(100)).isEqualTo(100.0);
    assertThat(new LatencyRecorder().percentileMillis(99)).isNaN();
    assertThatThrownBy(() -> recorder.percentileMillis(0)).hasMessageContaining("percentile");
  }

  @Test
  void timelineCountsPerSecondAndTheLongestGap() {
    AckTimeline timeline = new AckTimeline(0);
    timeline.ack(100_000_000L);
    timeline.ack(200_000_000L);
    timeline.ack(3_700_000_000L);
    assertThat(timeline.perSecond(4)).containsExactly(2, 0, 0, 1, 0);
    assertThat(timeline.longestGapMillis()).isEqualTo(3500.0);
  }

  @Test
  void steadyTableStatesTheRatios() {
    String md = ResultsReport.steady(List.of(new ResultsReport.SteadyRow("plain", 1000, 5, 10, 20),
        new ResultsReport.SteadyRow("resilient", 980, 5, 11, 20)));
    assertThat(md).contains("| **resilient / plain** | **0.980x**").contains("**1.100x**");
  }

  @Test
  void churnTableAndChartShowBothClients(@TempDir Path dir) throws Exception {
    List<ClientOutcome> clients = List.of(
        new ClientOutcome("plain", 100, 40, 60, 0, 40, 60, 0, 120_000, 5, 900, "TimeoutException x60",
            new long[] {10, 10, 0, 0, 20}),
        new ClientOutcome("resilient", 100, 100, 0, 0, 100, 0, 0, 9_000, 5, 80_000, "-",
            new long[] {10, 10, 0, 30, 50}));
    assertThat(ResultsReport.churn(clients)).contains("| plain | 100 | 40 | 60 | 0.400 | 60 |")
        .contains("| resilient | 100 | 100 | 0 | 1.000 | 0 |");
    Path png = dir.resolve("chart.png");
    AckRateChart.write(png, "test", clients, List.of(new FaultWindow("two down", 1.5, 3.2)), 1000);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1400);
    assertThat(Files.size(png)).isGreaterThan(1000);
    assertThat(BenchmarkSuite.csv(clients)).startsWith("second,plain,resilient\n0,10,10\n");
  }

  @Test
  void yAxisCeilingIsRound() {
    assertThat(AckRateChart.niceCeiling(231)).isEqualTo(500);
    assertThat(AckRateChart.niceCeiling(90)).isEqualTo(100);
    assertThat(AckRateChart.niceCeiling(1)).isEqualTo(1);
  }
}
