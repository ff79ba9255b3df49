package dev.resilientkafka.internal.producer;

import dev.resilientkafka.ProducerListener;
import dev.resilientkafka.internal.cluster.ClusterView;
import dev.resilientkafka.internal.spool.Spool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A {@link RecordBuffer} over a scripted inner producer, and the dispatcher's steps run by hand. */
final class BufferFixtures {
  private BufferFixtures() {}

  /** A buffer with {@code extra} settings, a spool (or none) and {@code listeners}; not started. */
  static RecordBuffer buffer(ScriptedInnerProducer inner, @Nullable Spool spool, Map<String, Object> extra,
      ProducerListener... listeners) {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", "unused:9092");
    config.putAll(extra);
    return new RecordBuffer(ProducerSettings.parse(config), inner, ClusterView.detached(),
        new OutcomeReporter(new SafeListener(List.of(listeners))), "fixture", spool);
  }

  /** One dispatcher step: records waiting on disk moved into memory, their outcomes reported. */
  static void drainBacklog(RecordBuffer buffer) {
    List<Runnable> outcomes = new ArrayList<>();
    buffer.drainBacklog(System.nanoTime(), new ArrayList<>(), outcomes);
    outcomes.forEach(Runnable::run);
  }
}
