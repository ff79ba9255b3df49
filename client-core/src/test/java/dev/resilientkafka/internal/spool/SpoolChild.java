package dev.resilientkafka.internal.spool;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A process that uses a spool until it is killed, for the crash tests: {@code append DIR} appends records
 * of mixed sizes under {@code always} and prints each sequence once {@code append} returned; {@code hold
 * DIR} holds the spool until its input ends; {@code complete DIR N} appends and completes N records with
 * marks flushed only once a minute, then waits to be killed.
 */
public final class SpoolChild {
  private SpoolChild() {}

  public static void main(String[] args) throws IOException {
    PrintStream out = System.out;
    Path dir = Path.of(args[1]);
    switch (args[0]) {
      case "append" -> {
        Spool spool = Spool.open(dir, Long.MAX_VALUE, FsyncPolicy.ALWAYS);
        out.println("open");
        out.flush();
        for (long n = 0; ; n++) {
          // some records span many pages, so that a kill can land in the middle of writing one
          int size = n % 7 == 6 ? 2 * 1024 * 1024 : ThreadLocalRandom.current().nextInt(10, 4000);
          long sequence = spool.append(SpoolRecords.record(n, size));
          out.println(sequence + " " + n + " " + size);
          out.flush();
        }
      }
      case "hold" -> {
        try (Spool spool = Spool.open(dir, 1024 * 1024, FsyncPolicy.ALWAYS)) {
          out.println("open");
          out.flush();
          while (System.in.read() >= 0) {
            // hold the lock until the parent closes our input
          }
        }
      }
      case "complete" -> {
        int count = Integer.parseInt(args[2]);
        Spool spool = Spool.open(dir, Long.MAX_VALUE, FsyncPolicy.parse("60000"));
        for (int n = 0; n < count; n++) {
          spool.complete(spool.append(SpoolRecords.record(n, 100)));
        }
        out.println("completed " + spool.records());
        out.flush();
        while (System.in.read() >= 0) {
          // wait to be killed
        }
      }
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }
}
