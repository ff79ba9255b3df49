package dev.resilientkafka.internal.producer;

import static dev.resilientkafka.internal.producer.ConcurrentRuns.check;
import static dev.resilientkafka.internal.producer.ConcurrentRuns.startAndJoin;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;

/**
 * A partition's in-flight list links the records themselves: senders append with an exchange of the tail,
 * the thread completing a record trims the head right after (one thread at a time removes; the list
 * empties by moving the tail off its last record), and the dispatcher looks for the oldest record.
 * Lincheck's model checker explores their interleavings: no record still in flight is ever lost from the
 * list, the oldest one is found, completed ones all leave, a reader meeting removed records neither fails
 * nor loops, and no removed record keeps one of the list reachable (an old record the collector kept must
 * not keep newer ones alive). 100 interleavings each: the model checker found each broken variant tried
 * (a plain store for the head's CAS, no guard for the last record in a sweep, no self-link) within them, and
 * the build's other fork runs cluster tests meanwhile.
 */
class PartitionSlotRacesTest {

  @Test
  void sendersTrimsAndCompletionsNeverLoseARecordInFlight() {
    Lincheck.runConcurrentTest(100, () -> {
      PartitionSlot slot = new PartitionSlot(0);
      PendingRecord r1 = record();
      PendingRecord r2 = record();
      PendingRecord r3 = record();
      PendingRecord r4 = record();
      List<Thread> threads = List.of(
          new Thread(() -> {
            slot.handedOver(r1);
            slot.handedOver(r2);
            slot.trim();
          }),
          new Thread(() -> {
            slot.handedOver(r3);
            slot.trim();
            slot.handedOver(r4);
          }),
          new Thread(() -> { // Kafka's I/O thread: a completion may come before the hand-over is recorded
            complete(slot, r1);
            complete(slot, r3);
          }),
          new Thread(() -> { // the dispatcher: walks while records are removed (restarts at a self-link)
            slot.oldest();
            check(List.of(r1, r2, r3, r4).containsAll(held(slot)), "records of the list only");
          }));
      startAndJoin(threads);

      PendingRecord oldest = slot.oldest();
      List<PendingRecord> held = held(slot);
      check(held.contains(r2) && held.contains(r4), "the records in flight are in the list: " + held);
      check(oldest == held.get(0) && (oldest == r2 || oldest == r4), "the oldest is the first in flight: " + oldest);
      for (PendingRecord record : List.of(r1, r3)) {
        check(held.contains(record) || !reachesTheList(record, held), "a removed record keeps no record of the list"
            + " reachable");
      }
      complete(r2);
      complete(r4);
      check(slot.oldest() == null, "nothing in flight");
      check(held(slot).isEmpty(), "every completed record left: " + held(slot));
      PendingRecord r5 = record();
      slot.handedOver(r5);
      check(slot.oldest() == r5 && held(slot).equals(List.of(r5)), "the emptied list takes records again");
    });
  }

  @Test
  void aSenderAppendingWhileTheListEmptiesIsKept() {
    Lincheck.runConcurrentTest(100, () -> {
      PartitionSlot slot = new PartitionSlot(0);
      PendingRecord r1 = record();
      PendingRecord r2 = record();
      slot.handedOver(r1);
      complete(r1);
      List<Thread> threads = List.of(
          new Thread(slot::trim), // empties the list: r1, its last record, is complete
          new Thread(() -> slot.handedOver(r2)));
      startAndJoin(threads);
      check(slot.oldest() == r2, "the record appended while the list emptied is in it: " + held(slot));
      check(held(slot).equals(List.of(r2)), "and nothing else: " + held(slot));
    });
  }

  @Test
  void twoSendersAppendingWhileTheListEmptiesAreBothKept() {
    Lincheck.runConcurrentTest(100, () -> {
      PartitionSlot slot = new PartitionSlot(0);
      PendingRecord r1 = record();
      PendingRecord r2 = record();
      PendingRecord r3 = record();
      slot.handedOver(r1);
      complete(r1);
      List<Thread> threads = List.of(
          new Thread(slot::trim),
          new Thread(() -> slot.handedOver(r2)), // may find the list empty and set the head...
          new Thread(() -> slot.handedOver(r3))); // ...while this one links to r2 before it did
      startAndJoin(threads);
      check(held(slot).containsAll(List.of(r2, r3)), "both appended records are in the list: " + held(slot));
      slot.trim(); // r1 stays when the trim ran before r2 was linked to it: the next trim takes it
      List<PendingRecord> held = held(slot);
      check(held.size() == 2 && held.containsAll(List.of(r2, r3)), "both appended records, nothing else: " + held);
    });
  }

  /** The keyless slot: records complete out of order and completed ones are swept out from anywhere. */
  @Test
  void sweepsRemoveCompletedRecordsFromAnywhereAndKeepTheRest() {
    Lincheck.runConcurrentTest(100, () -> {
      PartitionSlot slot = new PartitionSlot(RecordBuffer.KAFKA_CHOOSES, 0);
      PendingRecord r1 = record();
      PendingRecord r2 = record();
      PendingRecord r3 = record();
      PendingRecord r4 = record();
      List<Thread> threads = List.of(
          new Thread(() -> {
            slot.handedOver(r1);
            slot.handedOver(r2);
          }),
          new Thread(() -> {
            slot.handedOver(r3);
            slot.handedOver(r4);
          }),
          new Thread(() -> {
            complete(slot, r2);
            complete(slot, r3);
          }),
          new Thread(() -> {
            slot.trim();
            check(List.of(r1, r2, r3, r4).containsAll(held(slot)), "records of the list only");
          }));
      startAndJoin(threads);
      slot.trim();
      List<PendingRecord> held = held(slot);
      check(held.contains(r1) && held.contains(r4), "records in flight stay: " + held);
      for (PendingRecord record : List.of(r2, r3)) {
        check(held.contains(record) || !reachesTheList(record, held), "a swept record keeps no record of the list"
            + " reachable");
      }
      check(held.size() == new java.util.HashSet<>(held).size() && List.of(r1, r2, r3, r4).containsAll(held),
          "each record once, none other: " + held);
      complete(r1);
      complete(r4);
      check(slot.oldest() == null && held(slot).isEmpty(), "all completed: empty, " + held(slot));
    });
  }

  @Test
  void recordsCompletedInOrderLeaveAtOnce() {
    PartitionSlot slot = new PartitionSlot(0);
    List<PendingRecord> inFlight = new ArrayList<>();
    List<PendingRecord> all = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      PendingRecord record = record();
      all.add(record);
      slot.handedOver(record);
      inFlight.add(record);
      if (inFlight.size() > 100) {
        complete(slot, inFlight.remove(0));
      }
      assertThat(held(slot)).as("completed in order: each left at its completion").isEqualTo(inFlight);
    }
    assertThat(slot.oldest()).isSameAs(inFlight.get(0));
    List<PendingRecord> held = held(slot);
    assertThat(all.stream().filter(r -> !held.contains(r)).filter(r -> reachesTheList(r, held)))
        .as("removed records that keep the list reachable").isEmpty();
    inFlight.forEach(PartitionSlotRacesTest::complete);
    assertThat(slot.oldest()).isNull();
    assertThat(held(slot)).isEmpty();
  }

  /** Whether following the links from {@code removed} (up to one linked to itself) reaches a record of {@code held}. */
  private static boolean reachesTheList(PendingRecord removed, List<PendingRecord> held) {
    for (PendingRecord record = removed; record != null && record.nextInFlight != record; record = record.nextInFlight) {
      if (held.contains(record.nextInFlight)) {
        return true;
      }
    }
    return false;
  }

  private static PendingRecord record() {
    return new PendingRecord(null, null, new ProducerRecord<>("t", 0, null, (byte[]) null), null, 0, 0, null, 0);
  }

  private static void complete(PendingRecord record) {
    record.finish(new RecordMetadata(new TopicPartition("t", 0), 0, 0, 0, 0, 0));
  }

  /** As Kafka's I/O thread does through the buffer: completes the record, then trims its partition's list. */
  private static void complete(PartitionSlot slot, PendingRecord record) {
    complete(record);
    slot.trim();
  }

  private static List<PendingRecord> held(PartitionSlot slot) {
    List<PendingRecord> held = new ArrayList<>();
    slot.inFlight().forEach(held::add);
    return held;
  }

}
