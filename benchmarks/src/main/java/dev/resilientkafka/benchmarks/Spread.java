package dev.resilientkafka.benchmarks;

import java.util.Arrays;
import java.util.List;

/**
 * The median and the range of repeated measurements of one quantity.
 *
 * @param median the middle value (mean of the two middle values for an even count)
 * @param min the smallest
 * @param max the largest
 * @param count how many values
 */
public record Spread(double median, double min, double max, int count) {

  /** The spread of {@code values}; all {@code NaN} when there are none. */
  public static Spread of(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).filter(v -> !Double.isNaN(v)).sorted().toArray();
    if (sorted.length == 0) {
      return new Spread(Double.NaN, Double.NaN, Double.NaN, 0);
    }
    int n = sorted.length;
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return new Spread(median, sorted[0], sorted[n - 1], n);
  }

  /** The spread of {@code values}. */
  public static Spread of(double... values) {
    return of(Arrays.stream(values).boxed().toList());
  }
}
