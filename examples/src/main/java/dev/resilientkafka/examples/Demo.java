package dev.resilientkafka.examples;

import dev.resilientkafka.examples.demo.DemoScript;

/**
 * The one-command demo on the embedded local cluster: replays the article's scenarios S1-S7 with a plain
 * producer beside the resilient one (see {@link DemoScript}). Exits with 1 if the resilient producer
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
