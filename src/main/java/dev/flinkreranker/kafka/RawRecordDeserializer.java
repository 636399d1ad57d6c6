package dev.flinkreranker.kafka;

import dev.flinkreranker.avro.internal.RawRecord;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Passes Kafka records on as they are, with topic, partition and offset. Decoding happens in a
 * separate operator so that a bad record becomes a dead letter instead of failing the source.
 */
public final class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
    out.collect(RawRecord.newBuilder()
        .setTopic(record.topic())
        .setPartition(record.partition())
        .setOffset(record.offset())
        .setTimestamp(record.timestamp())
        .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
        .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
        .build());
  }

  @Override
  public TypeInformation<RawRecord> getProducedType() {
    return new AvroTypeInfo<>(RawRecord.class);
  }
}
