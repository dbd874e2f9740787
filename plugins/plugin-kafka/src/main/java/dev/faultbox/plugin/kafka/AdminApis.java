package dev.faultbox.plugin.kafka;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.*;

/** Topic administration, DescribeConfigs and DescribeCluster, and the transaction APIs. */
final class AdminApis {

  /** Topic configs DescribeConfigs reports: a broker's defaults, read-only here. */
  private static final String[][] TOPIC_CONFIGS = {
      {"cleanup.policy", "delete"}, {"retention.ms", "604800000"}, {"max.message.bytes", "1048588"},
      {"min.insync.replicas", "1"}, {"compression.type", "producer"}, {"message.timestamp.type", "CreateTime"},
  };
  private static final String[][] BROKER_CONFIGS = {
      {"broker.id", Integer.toString(Broker.NODE_ID)}, {"num.partitions", null}, {"auto.create.topics.enable", null},
      {"default.replication.factor", "1"}, {"offsets.topic.replication.factor", "1"}, {"message.max.bytes", "1048588"},
  };

  private final Broker broker;

  AdminApis(Broker broker) {
    this.broker = broker;
  }

  CreateTopicsResponse createTopics(CreateTopicsRequest request) {
    CreateTopicsResponseData out = new CreateTopicsResponseData();
    boolean validateOnly = request.data().validateOnly();
    for (CreateTopicsRequestData.CreatableTopic t : request.data().topics()) {
      CreateTopicsResponseData.CreatableTopicResult r = new CreateTopicsResponseData.CreatableTopicResult()
          .setName(t.name()).setTopicId(Uuid.ZERO_UUID).setNumPartitions(-1).setReplicationFactor((short) -1);
      int partitions = t.numPartitions() == -1 ? broker.defaultPartitions : t.numPartitions();
      String invalid = Broker.invalidName(t.name());
      if (invalid != null) {
        r.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code()).setErrorMessage(invalid);
      } else if (partitions <= 0 && t.assignments().isEmpty()) {
        r.setErrorCode(Errors.INVALID_PARTITIONS.code()).setErrorMessage("Number of partitions must be larger than 0.");
      } else if (t.replicationFactor() > 1) {
        r.setErrorCode(Errors.INVALID_REPLICATION_FACTOR.code())
            .setErrorMessage("Unable to replicate the partition " + t.replicationFactor() + " time(s): The target replication factor of "
                + t.replicationFactor() + " cannot be reached because only 1 broker(s) are registered.");
      } else {
        if (!t.assignments().isEmpty()) {
          partitions = t.assignments().size();
        }
        TopicLog created = validateOnly ? (broker.topic(t.name()) == null ? new TopicLog(t.name(), partitions, 0) : null)
            : broker.create(t.name(), partitions);
        if (created == null) {
          r.setErrorCode(Errors.TOPIC_ALREADY_EXISTS.code()).setErrorMessage("Topic '" + t.name() + "' already exists.");
        } else {
          r.setTopicId(validateOnly ? Uuid.ZERO_UUID : created.id).setNumPartitions(partitions).setReplicationFactor((short) 1);
        }
      }
      out.topics().add(r);
    }
    return new CreateTopicsResponse(out);
  }

  DeleteTopicsResponse deleteTopics(DeleteTopicsRequest request, short version) {
    DeleteTopicsResponseData out = new DeleteTopicsResponseData();
    List<DeleteTopicsRequestData.DeleteTopicState> asked = new ArrayList<>();
    if (version >= 6) {
      asked.addAll(request.data().topics());
    } else {
      for (String name : request.data().topicNames()) {
        asked.add(new DeleteTopicsRequestData.DeleteTopicState().setName(name));
      }
    }
    for (DeleteTopicsRequestData.DeleteTopicState t : asked) {
      TopicLog topic = t.name() != null ? broker.topic(t.name()) : broker.topic(t.topicId());
      DeleteTopicsResponseData.DeletableTopicResult r = new DeleteTopicsResponseData.DeletableTopicResult()
          .setName(topic == null ? t.name() : topic.name).setTopicId(topic == null ? t.topicId() : topic.id);
      if (topic == null || !broker.delete(topic.name)) {
        r.setErrorCode((t.name() == null ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
      }
      out.responses().add(r);
    }
    return new DeleteTopicsResponse(out);
  }

  DescribeConfigsResponse describeConfigs(DescribeConfigsRequest request) {
    DescribeConfigsResponseData out = new DescribeConfigsResponseData();
    for (DescribeConfigsRequestData.DescribeConfigsResource res : request.data().resources()) {
      DescribeConfigsResponseData.DescribeConfigsResult r = new DescribeConfigsResponseData.DescribeConfigsResult()
          .setResourceType(res.resourceType()).setResourceName(res.resourceName());
      String[][] configs;
      if (res.resourceType() == ConfigResource.Type.TOPIC.id()) {
        if (broker.topic(res.resourceName()) == null) {
          out.results().add(r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
              .setErrorMessage("Topic " + res.resourceName() + " does not exist"));
          continue;
        }
        configs = TOPIC_CONFIGS;
      } else if (res.resourceType() == ConfigResource.Type.BROKER.id()) {
        configs = BROKER_CONFIGS;
      } else {
        out.results().add(r.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("unsupported resource type"));
        continue;
      }
      for (String[] c : configs) {
        if (res.configurationKeys() != null && !res.configurationKeys().contains(c[0])) {
          continue;
        }
        String value = c[1] != null ? c[1] : c[0].equals("num.partitions")
            ? Integer.toString(broker.defaultPartitions) : Boolean.toString(broker.autoCreate);
        r.configs().add(new DescribeConfigsResponseData.DescribeConfigsResourceResult().setName(c[0]).setValue(value)
            .setReadOnly(true).setConfigSource(DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG.id())
            .setIsSensitive(false).setConfigType(DescribeConfigsResponse.ConfigType.STRING.id()));
      }
      out.results().add(r);
    }
    return new DescribeConfigsResponse(out);
  }

  DescribeClusterResponse describeCluster() {
    DescribeClusterResponseData out = new DescribeClusterResponseData().setClusterId(broker.clusterId)
        .setControllerId(Broker.NODE_ID);
    out.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(Broker.NODE_ID)
        .setHost(Broker.HOST).setPort(broker.port));
    return new DescribeClusterResponse(out);
  }

  AddPartitionsToTxnResponse addPartitionsToTxn(AddPartitionsToTxnRequest request) {
    AddPartitionsToTxnRequestData data = request.data();
    AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection results =
        new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection();
    for (AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic t : data.v3AndBelowTopics()) {
      AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult tr =
          new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult().setName(t.name());
      for (int p : t.partitions()) {
        Errors e = broker.transactions.addPartition(data.v3AndBelowTransactionalId(), data.v3AndBelowProducerId(),
            data.v3AndBelowProducerEpoch(), new TopicPartition(t.name(), p));
        tr.resultsByPartition().add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult()
            .setPartitionIndex(p).setPartitionErrorCode(e.code()));
      }
      results.add(tr);
    }
    return new AddPartitionsToTxnResponse(new AddPartitionsToTxnResponseData().setResultsByTopicV3AndBelow(results));
  }

  AddOffsetsToTxnResponse addOffsetsToTxn(AddOffsetsToTxnRequest request) {
    var d = request.data();
    Errors e = broker.transactions.addOffsets(d.transactionalId(), d.producerId(), d.producerEpoch(), d.groupId());
    return new AddOffsetsToTxnResponse(new AddOffsetsToTxnResponseData().setErrorCode(e.code()));
  }

  EndTxnResponse endTxn(EndTxnRequest request) {
    var d = request.data();
    Errors e = broker.transactions.endTxn(d.transactionalId(), d.producerId(), d.producerEpoch(), d.committed());
    return new EndTxnResponse(new EndTxnResponseData().setErrorCode(e.code()));
  }

  TxnOffsetCommitResponse txnOffsetCommit(TxnOffsetCommitRequest request) {
    TxnOffsetCommitRequestData d = request.data();
    TxnOffsetCommitResponseData out = new TxnOffsetCommitResponseData();
    for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic t : d.topics()) {
      TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic tr = new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic()
          .setName(t.name());
      for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p : t.partitions()) {
        Errors e = broker.transactions.commitOffset(d.transactionalId(), d.producerId(), d.producerEpoch(), d.groupId(),
            new TopicPartition(t.name(), p.partitionIndex()), p.committedOffset());
        tr.partitions().add(new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
            .setPartitionIndex(p.partitionIndex()).setErrorCode(e.code()));
      }
      out.topics().add(tr);
    }
    return new TxnOffsetCommitResponse(out);
  }
}
