package dev.resilientkafka.examples;

import dev.resilientkafka.examples.demo.DemoScript;

/**
 * The one-command demo on the embedded local cluster: drains, reschedules, stops, replaces and re-IPs
 * brokers while a plain producer and the resilient one write side by side (see {@link DemoScript}). Exits with 1 if the resilient producer
 * lost a record.
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) throws Exception {
    long lost = new DemoScript(System.out).run();
    if (lost != 0) {
      System.out.println("FAILED: the resilient producer lost " + lost + " record(s)");
      System.exit(1);
    }
  }
}
