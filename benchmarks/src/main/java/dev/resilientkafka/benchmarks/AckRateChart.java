package dev.resilientkafka.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws acks per second over time for each client, with the fault windows shaded, into a PNG with
 * Java2D (no charting library). Stateless and thread-safe.
 */
public final class AckRateChart {
  private static final int WIDTH = 1400;
  private static final int HEIGHT = 560;
  private static final int LEFT = 70;
  private static final int RIGHT = 30;
  private static final int TOP = 40;
  private static final int BOTTOM = 110;
  private static final Color[] SERIES = {new Color(0xD6, 0x27, 0x28), new Color(0x1F, 0x77, 0xB4)};
  private static final Color[] SHADES = {new Color(255, 200, 0, 60), new Color(120, 120, 120, 50)};

  private AckRateChart() {}

  /**
   * Draws the chart.
   *
   * @param title text at the top
   * @param clients one series per client, its {@link ClientOutcome#acksPerSecond()}
   * @param faults windows to shade and label
   * @param yCap highest value the y axis shows; higher seconds (catch-up bursts) are drawn clipped at the top
   * @return the image
   */
  public static BufferedImage draw(String title, List<ClientOutcome> clients, List<FaultWindow> faults, long yCap) {
    int seconds = 1;
    long max = 1;
    for (ClientOutcome client : clients) {
      seconds = Math.max(seconds, client.acksPerSecond().length);
      for (long v : client.acksPerSecond()) {
        max = Math.max(max, v);
      }
    }
    long yMax = niceCeiling(Math.min(max * 11 / 10, yCap));
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      int plotW = WIDTH - LEFT - RIGHT;
      int plotH = HEIGHT - TOP - BOTTOM;
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      for (int i = 0; i < faults.size(); i++) {
        FaultWindow fault = faults.get(i);
        int x0 = LEFT + (int) (fault.startSecond() / seconds * plotW);
        int x1 = LEFT + (int) (fault.endSecond() / seconds * plotW);
        g.setColor(SHADES[i % SHADES.length]);
        g.fillRect(x0, TOP, Math.max(1, x1 - x0), plotH);
        g.setColor(Color.DARK_GRAY);
        g.drawString(fault.label(), x0 + 2, TOP + plotH + 36 + 14 * (i % 3));
      }
      g.setColor(new Color(230, 230, 230));
      for (int i = 0; i <= 5; i++) {
        int y = TOP + plotH - plotH * i / 5;
        g.drawLine(LEFT, y, LEFT + plotW, y);
        g.setColor(Color.BLACK);
        g.drawString(Long.toString(yMax * i / 5), 8, y + 4);
        g.setColor(new Color(230, 230, 230));
      }
      g.setColor(Color.BLACK);
      g.drawRect(LEFT, TOP, plotW, plotH);
      int step = Math.max(10, (seconds / 12 + 9) / 10 * 10);
      for (int s = 0; s <= seconds; s += step) {
        int x = LEFT + (int) ((double) s / seconds * plotW);
        g.drawLine(x, TOP + plotH, x, TOP + plotH + 4);
        g.drawString(s + " s", x - 10, TOP + plotH + 18);
      }
      g.setStroke(new BasicStroke(1.6f));
      for (int c = 0; c < clients.size(); c++) {
        long[] values = clients.get(c).acksPerSecond();
        g.setColor(SERIES[c % SERIES.length]);
        int px = -1;
        int py = -1;
        for (int s = 0; s < values.length; s++) {
          int x = LEFT + (int) ((s + 0.5) / seconds * plotW);
          int y = TOP + plotH - (int) ((double) Math.min(values[s], yMax) / yMax * plotH);
          if (px >= 0) {
            g.drawLine(px, py, x, y);
          }
          px = x;
          py = y;
        }
        g.fillRect(LEFT + plotW - 160, TOP + 8 + 16 * c, 14, 4);
        g.drawString(clients.get(c).client(), LEFT + plotW - 140, TOP + 14 + 16 * c);
      }
      g.setColor(Color.BLACK);
      if (max > yMax) {
        g.drawString("peaks above " + yMax + "/s (catch-up after a fault) are clipped; highest " + max + "/s",
            LEFT + 8, TOP + 14);
      }
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.drawString(title, LEFT, 24);
    } finally {
      g.dispose();
    }
    return image;
  }

  /** Draws the chart and writes it as PNG to {@code file}; see {@link #draw} for the arguments. */
  public static void write(Path file, String title, List<ClientOutcome> clients, List<FaultWindow> faults, long yCap)
      throws IOException {
    if (!ImageIO.write(draw(title, clients, faults, yCap), "png", file.toFile())) {
      throw new IOException("no PNG writer in this JDK for " + file);
    }
  }

  static long niceCeiling(long value) {
    long magnitude = 1;
    while (magnitude * 10 <= value) {
      magnitude *= 10;
    }
    for (long factor : new long[] {1, 2, 5, 10}) {
      if (factor * magnitude >= value) {
        return factor * magnitude;
      }
    }
    return 10 * magnitude;
  }
}
