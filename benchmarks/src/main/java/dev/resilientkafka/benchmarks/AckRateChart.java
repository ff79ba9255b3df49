package dev.resilientkafka.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Acks per second over time for each client, with the fault windows shaded (one legend entry per
 * fault), drawn with XChart into a PNG. Stateless and thread-safe.
 */
public final class AckRateChart {
  private static final int WIDTH = 1400;
  private static final int HEIGHT = 600;
  private static final Color[] SERIES = {new Color(0xD6, 0x27, 0x28), new Color(0x1F, 0x77, 0xB4)};
  private static final Color[] SHADES = {new Color(255, 190, 0, 70), new Color(120, 120, 120, 60),
      new Color(0, 160, 120, 50)};

  private AckRateChart() {}

  /**
   * The chart.
   *
   * @param title text at the top
   * @param clients one series per client, its {@link ClientOutcome#acksPerSecond()}
   * @param faults windows to shade, from the fault's start until the cluster was whole again
   * @param yCap highest value the y axis shows; catch-up bursts above it are clipped
   */
  public static XYChart draw(String title, List<ClientOutcome> clients, List<FaultWindow> faults, long yCap) {
    long max = 1;
    for (ClientOutcome client : clients) {
      for (long v : client.acksPerSecond()) {
        max = Math.max(max, v);
      }
    }
    double yMax = Math.min(max * 1.1, yCap);
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("seconds")
        .yAxisTitle("acks per second").build();
    Styler styler = chart.getStyler();
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(yMax).setXAxisMin(0.0).setPlotGridVerticalLinesVisible(false);
    for (int i = 0; i < faults.size(); i++) {
      FaultWindow fault = faults.get(i);
      XYSeries shade = chart.addSeries(fault.label(), new double[] {fault.startSecond(), fault.endSecond()},
          new double[] {yMax, yMax});
      shade.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
      shade.setMarker(SeriesMarkers.NONE);
      shade.setFillColor(SHADES[i % SHADES.length]);
      shade.setLineColor(SHADES[i % SHADES.length]);
    }
    for (int c = 0; c < clients.size(); c++) {
      long[] values = clients.get(c).acksPerSecond();
      double[] x = IntStream.range(0, values.length).mapToDouble(s -> s + 0.5).toArray();
      double[] y = IntStream.range(0, values.length).mapToDouble(s -> Math.min(values[s], yMax)).toArray();
      XYSeries series = chart.addSeries(clients.get(c).client(), x, y);
      series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      series.setMarker(SeriesMarkers.NONE);
      series.setLineColor(SERIES[c % SERIES.length]);
      series.setLineStyle(new BasicStroke(1.6f));
    }
    return chart;
  }

  /** Draws the chart and writes it as PNG to {@code file}; see {@link #draw} for the arguments. */
  public static void write(Path file, String title, List<ClientOutcome> clients, List<FaultWindow> faults, long yCap)
      throws IOException {
    BitmapEncoder.saveBitmap(draw(title, clients, faults, yCap), file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
