package dev.resilientkafka.internal.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The record handed to Kafka: its headers in order, read-only, shared by its copies and not by the application. */
class OutgoingRecordTest {
  private static final Header A = new RecordHeader("a", new byte[] {1});
  private static final Header B = new RecordHeader("b", new byte[] {2});
  private static final Header A2 = new RecordHeader("a", null);
  private static final Header ID = new RecordHeader("resilient-record-id", new byte[] {9});

  @Test
  void theApplicationsHeadersComeFirstThenTheRecordIdAndKafkaIsGivenThatVeryArray() {
    OutgoingRecord record = new OutgoingRecord("t", 1, 5L, new byte[] {7}, new byte[] {8},
        OutgoingRecord.headers(new Header[] {A, B, A2}, ID));

    Header[] given = record.headers().toArray();
    assertThat(given).containsExactly(A, B, A2, ID);
    assertThat(record.headers().toArray()).isSameAs(given);
    assertThat(record.headers()).containsExactly(A, B, A2, ID);
    assertThat(record.headers().lastHeader("a")).isSameAs(A2);
    assertThat(record.headers().lastHeader("none")).isNull();
    assertThat(record.headers().headers("a")).containsExactly(A, A2);
    assertThat(PendingRecord.sizeOf(record.key(), record.value(), given)).isEqualTo(1 + 1 + (1 + 1) + (1 + 1) + 1 + (19 + 1));
  }

  @Test
  void theHeadersCannotBeChanged() {
    OutgoingRecord record = new OutgoingRecord("t", null, null, null, null, OutgoingRecord.headers(new Header[0], ID));

    assertThatThrownBy(() -> record.headers().add(A)).isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only");
    assertThatThrownBy(() -> record.headers().add("a", null)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> record.headers().remove("resilient-record-id")).isInstanceOf(IllegalStateException.class);
    assertThat(record.headers()).containsExactly(ID);
  }

  @Test
  void withoutARecordIdTheApplicationsArrayIsCopiedAndNoHeadersCostNothing() {
    Header[] applications = {A, B};
    Header[] kept = OutgoingRecord.headers(applications, null);
    applications[0] = ID;

    assertThat(kept).containsExactly(A, B);
    assertThat(OutgoingRecord.headers(new Header[0], null)).isSameAs(OutgoingRecord.headers(new RecordHeaders().toArray(), null))
        .isEmpty();
  }

  @Test
  void aCopyWithAnotherPartitionSharesTheHeadersAndACopyOfAPlainRecordTakesItsHeaders() {
    OutgoingRecord record = new OutgoingRecord("t", null, null, new byte[] {7}, null, OutgoingRecord.headers(new Header[] {A}, ID));

    OutgoingRecord moved = OutgoingRecord.copy(record, 2, 10L);
    assertThat(moved.partition()).isEqualTo(2);
    assertThat(moved.timestamp()).isEqualTo(10L);
    assertThat(moved.key()).isSameAs(record.key());
    assertThat(moved.headers().toArray()).isSameAs(record.headers().toArray());
    assertThat(moved).isEqualTo(OutgoingRecord.copy(record, 2, 10L))
        .isNotEqualTo(new OutgoingRecord("t", 2, 10L, new byte[] {7}, null, OutgoingRecord.headers(new Header[] {A}, null)));

    ProducerRecord<byte[], byte[]> plain = new ProducerRecord<>("t", 0, null, null, null, List.of(A, B));
    OutgoingRecord fromPlain = OutgoingRecord.copy(plain, null, null);
    List<Header> headers = new ArrayList<>();
    fromPlain.headers().forEach(headers::add);
    assertThat(headers).containsExactly(A, B);
    assertThat(fromPlain.partition()).isNull();
  }

  /** A header type of the application's own, handed out as an array of that type. */
  private record OwnHeader(String key, byte[] value) implements Header {}

  @Test
  void anApplicationsArrayOfItsOwnHeaderTypeTakesTheRecordId() {
    Header own = new OwnHeader("own", new byte[] {3});

    assertThat(OutgoingRecord.headers(new OwnHeader[] {(OwnHeader) own}, ID)).containsExactly(own, ID);
    assertThat(OutgoingRecord.headers(new OwnHeader[] {(OwnHeader) own}, null)).containsExactly(own)
        .isExactlyInstanceOf(Header[].class);
  }

  @Test
  void aRecordReadBackFromTheSpoolKeepsItsHeadersInOrderWithItsOneRecordId() {
    ProducerRecord<byte[], byte[]> read = RecordBuffer.kafkaRecord(SpoolBacklog.spooled("t", 1, 5L, new byte[] {7},
        new byte[] {8}, List.of(A, B, A2, ID), 10L));

    List<String> keys = new ArrayList<>();
    read.headers().forEach(header -> keys.add(header.key()));
    assertThat(keys).containsExactly("a", "b", "a", "resilient-record-id");
    assertThat(read.headers().lastHeader("a").value()).isNull();
    assertThat(read.headers().lastHeader("resilient-record-id").value()).containsExactly(9);
    assertThat(read.partition()).isEqualTo(1);
    assertThat(read.timestamp()).isEqualTo(5L);
  }

  @Test
  void aNegativePartitionIsRefusedAsKafkaRefusesIt() {
    assertThatThrownBy(() -> new OutgoingRecord("t", -1, null, null, null, new Header[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid partition: -1");
  }
}
