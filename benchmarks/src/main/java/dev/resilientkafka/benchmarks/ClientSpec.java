package dev.resilientkafka.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one client JVM ({@link ClientMain}) does: which producer, which load, for how long. Passed to the
 * child as {@code key=value} arguments. Immutable.
 *
 * @param client which producer
 * @param load {@link Load#SATURATE}: {@code threads} senders, each keeping {@code inFlight} records in flight;
 *     {@link Load#PACED}: one sender offering {@code rate} records per second in total
 * @param bootstrap {@code bootstrap.servers}
 * @param topics the topics written, record {@code i} to {@code topics[i % size]}
 * @param producers producers in the JVM, record {@code i} through producer {@code i % producers}
 * @param threads sending threads ({@link Load#SATURATE})
 * @param inFlight records each sending thread keeps in flight ({@link Load#SATURATE})
 * @param rate records per second offered in total ({@link Load#PACED})
 * @param keyed whether records carry keys (else keyless): one of 1,024, or when the widest topic needs more,
 *     4 for each of its partitions, taken in turn
 * @param valueBytes size of each value
 * @param warmupSeconds time before the measured window
 * @param windowSeconds length of the measured window
 * @param spoolRoot empty for no durable spool; else the directory under which the child makes a fresh spool
 *     directory for its run ({@code resilient.spool.dir}) and deletes it when it ends ({@link ClientKind#RESILIENT}
 *     only)
 * @param spoolFsync {@code resilient.spool.fsync} of that spool ({@code always}, an interval in ms or {@code
 *     never}); empty without a spool
 * @param recordIds whether the resilient producer adds its record-id header (its default); false turns the
 *     header off ({@code resilient.record.id.header} empty) to show what the header costs
 */
public record ClientSpec(ClientKind client, Load load, String bootstrap, List<String> topics, int producers,
    int threads, int inFlight, int rate, boolean keyed, int valueBytes, int warmupSeconds, int windowSeconds,
    String spoolRoot, String spoolFsync, boolean recordIds) {

  /** How records are offered. */
  public enum Load {
    /** As fast as the bound on records in flight allows. */
    SATURATE,
    /** At a fixed rate, latency recorded per record. */
    PACED
  }

  /** Checks the arguments. */
  public ClientSpec {
    topics = List.copyOf(topics);
    if (topics.isEmpty()) {
      throw new IllegalArgumentException("Invalid value [] for topics: name at least one topic");
    }
    positive("producers", producers);
    positive("threads", threads);
    positive("inFlight", inFlight);
    positive("rate", rate);
    positive("valueBytes", valueBytes);
    positive("windowSeconds", windowSeconds);
    if (warmupSeconds < 0) {
      throw new IllegalArgumentException("Invalid value " + warmupSeconds + " for warmupSeconds: must be >= 0");
    }
    if (!spoolRoot.isEmpty() && client != ClientKind.RESILIENT) {
      throw new IllegalArgumentException("Invalid value " + spoolRoot + " for spoolRoot: only the resilient client "
          + "has a durable spool (client is " + client.label() + ")");
    }
    if (!recordIds && client != ClientKind.RESILIENT) {
      throw new IllegalArgumentException("Invalid value false for recordIds: only the resilient client adds record ids "
          + "(client is " + client.label() + ")");
    }
    if (spoolRoot.isEmpty() != spoolFsync.isEmpty()) {
      throw new IllegalArgumentException("Invalid value '" + spoolFsync + "' for spoolFsync: set it together with "
          + "spoolRoot, or neither");
    }
  }

  /** Whether the child's producer has a durable spool. */
  public boolean spooled() {
    return !spoolRoot.isEmpty();
  }

  /**
   * This load on a resilient producer with a durable spool: each run gets a fresh directory under {@code
   * root}, forced to disk as {@code fsync} says ({@code resilient.spool.fsync}).
   */
  public ClientSpec withSpool(String root, String fsync) {
    if (root.isEmpty()) {
      throw new IllegalArgumentException("Invalid value '' for spoolRoot: name a directory");
    }
    return new ClientSpec(client, load, bootstrap, topics, producers, threads, inFlight, rate, keyed, valueBytes,
        warmupSeconds, windowSeconds, root, fsync, recordIds);
  }

  /** This load on a resilient producer without its record-id header. */
  public ClientSpec withoutRecordIds() {
    return new ClientSpec(client, load, bootstrap, topics, producers, threads, inFlight, rate, keyed, valueBytes,
        warmupSeconds, windowSeconds, spoolRoot, spoolFsync, false);
  }

  /** A saturating load on one producer: {@code threads} x {@code inFlight}, 1 KiB keyed records. */
  public static ClientSpec saturate(ClientKind client, String bootstrap, List<String> topics, int threads,
      int inFlight, int warmupSeconds, int windowSeconds) {
    return new ClientSpec(client, Load.SATURATE, bootstrap, topics, 1, threads, inFlight, 1, true, 1024,
        warmupSeconds, windowSeconds, "", "", true);
  }

  /** A paced load of {@code rate} 1 KiB keyed records per second over {@code producers} producers. */
  public static ClientSpec paced(ClientKind client, String bootstrap, List<String> topics, int producers, int rate,
      int warmupSeconds, int windowSeconds) {
    return new ClientSpec(client, Load.PACED, bootstrap, topics, producers, 1, 1, rate, true, 1024, warmupSeconds,
        windowSeconds, "", "", true);
  }

  /** The child's command-line arguments. */
  public List<String> toArgs() {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("client", client.label());
    args.put("load", load.name().toLowerCase(Locale.ROOT));
    args.put("bootstrap", bootstrap);
    args.put("producers", Integer.toString(producers));
    args.put("threads", Integer.toString(threads));
    args.put("inFlight", Integer.toString(inFlight));
    args.put("rate", Integer.toString(rate));
    args.put("keyed", Boolean.toString(keyed));
    args.put("valueBytes", Integer.toString(valueBytes));
    args.put("warmupSeconds", Integer.toString(warmupSeconds));
    args.put("windowSeconds", Integer.toString(windowSeconds));
    args.put("spoolRoot", spoolRoot);
    args.put("spoolFsync", spoolFsync);
    args.put("recordIds", Boolean.toString(recordIds));
    args.put("topics", String.join(",", topics));
    List<String> list = new ArrayList<>();
    args.forEach((k, v) -> list.add(k + "=" + v));
    return list;
  }

  /**
   * Parses {@link #toArgs()}.
   *
   * @throws IllegalArgumentException naming an unknown, missing or malformed argument
   */
  public static ClientSpec parse(String[] args) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("Invalid argument " + arg + ": expected key=value");
      }
      map.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    ClientSpec spec = new ClientSpec(ClientKind.of(required(map, "client")),
        Load.valueOf(required(map, "load").toUpperCase(Locale.ROOT)), required(map, "bootstrap"),
        List.of(required(map, "topics").split(",")), integer(map, "producers"), integer(map, "threads"),
        integer(map, "inFlight"), integer(map, "rate"), Boolean.parseBoolean(required(map, "keyed")),
        integer(map, "valueBytes"), integer(map, "warmupSeconds"), integer(map, "windowSeconds"),
        required(map, "spoolRoot"), required(map, "spoolFsync"), Boolean.parseBoolean(required(map, "recordIds")));
    if (!map.isEmpty()) {
      throw new IllegalArgumentException("Invalid arguments " + map.keySet() + ": unknown to ClientMain");
    }
    return spec;
  }

  private static String required(Map<String, String> map, String key) {
    String value = map.remove(key);
    if (value == null) {
      throw new IllegalArgumentException("Missing argument " + key + "=...");
    }
    return value;
  }

  private static int integer(Map<String, String> map, String key) {
    String value = required(map, key);
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid value " + value + " for " + key + ": must be a whole number", e);
    }
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException("Invalid value " + value + " for " + name + ": must be > 0");
    }
  }
}
