package dev.resilientkafka.verify;

import dev.resilientkafka.testkit.LocalKafkaCluster;
import java.time.Duration;
import org.apache.kafka.common.TopicPartition;

/**
 * The failure matrix: Kafka's {@code replication_test.py} modes against the leader of partition 0 (clean
 * and hard shutdown, clean and hard bounce three times) plus the faults Kubernetes adds (SIGSTOP, new
 * IP, empty-disk replacement, every IP rotated). {@link #apply} injects the fault, lets the verifying
 * producer keep writing through it, and heals it; it returns with the broker back and the ISR of the
 * partition full.
 */
enum LeaderFault {
  CLEAN_SHUTDOWN {
    @Override
    void inject(Context c) {
      int leader = c.leader();
      c.cluster.stop(leader);
      c.cluster.awaitLeaderChange(c.partition, leader, WAIT);
      c.producer.awaitSentMore(HOLD_RECORDS, WAIT);
      c.restart(leader);
    }
  },
  HARD_SHUTDOWN {
    @Override
    void inject(Context c) {
      int leader = c.leader();
      c.cluster.kill(leader);
      // fenced when its session expires: the controller moves leadership
      c.cluster.awaitLeaderChange(c.partition, leader, WAIT);
      c.producer.awaitSentMore(HOLD_RECORDS, WAIT);
      c.restart(leader);
    }
  },
  CLEAN_BOUNCE {
    @Override
    void inject(Context c) {
      for (int i = 0; i < BOUNCES; i++) {
        int leader = c.leader();
        c.cluster.stop(leader);
        c.cluster.awaitLeaderChange(c.partition, leader, WAIT);
        c.restart(leader);
      }
    }
  },
  HARD_BOUNCE {
    @Override
    void inject(Context c) {
      for (int i = 0; i < BOUNCES; i++) {
        int leader = c.leader();
        c.cluster.kill(leader);
        // wait for the session to expire (broker fenced, leader moved) before the restart
        c.cluster.awaitLeaderChange(c.partition, leader, WAIT);
        c.restart(leader);
      }
    }
  },
  PAUSE {
    @Override
    void inject(Context c) {
      int leader = c.leader();
      c.cluster.pause(leader);
      c.cluster.awaitLeaderChange(c.partition, leader, WAIT);
      c.producer.awaitSentMore(HOLD_RECORDS, WAIT);
      c.cluster.resume(leader);
      c.awaitHealthy();
    }
  },
  RESTART_ON_NEW_IP {
    @Override
    void inject(Context c) {
      int leader = c.leader();
      c.cluster.restartOnNewIp(leader);
      c.cluster.awaitReady(leader, WAIT);
      c.awaitHealthy();
    }
  },
  REPLACE_WITH_EMPTY_DISK {
    @Override
    void inject(Context c) {
      int leader = c.leader();
      c.cluster.replace(leader);
      c.cluster.awaitReady(leader, WAIT);
      c.awaitHealthy();
    }
  },
  ROTATE_ALL_IPS {
    @Override
    void inject(Context c) {
      c.cluster.restartAllOnNewIps();
      c.awaitHealthy();
    }
  };

  static final Duration WAIT = Duration.ofSeconds(90);
  static final int BOUNCES = 3;
  /** Records the producer sends while a broker stays down (about 1 s at the matrix rate). */
  static final long HOLD_RECORDS = 100;

  abstract void inject(Context c);

  /** What a fault acts on. */
  record Context(LocalKafkaCluster cluster, TopicPartition partition, VerifyingProducer producer) {
    int leader() {
      int leader = cluster.leaderOf(partition);
      if (leader < 0) {
        throw new IllegalStateException(partition + " has no leader before the fault");
      }
      return leader;
    }

    void restart(int id) {
      cluster.start(id);
      cluster.awaitReady(id, WAIT);
      awaitHealthy();
    }

    void awaitHealthy() {
      cluster.awaitIsrSize(partition, 3, WAIT);
    }
  }
}
