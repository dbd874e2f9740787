package dev.faultbox.plugin.kafka;

import dev.faultbox.plugin.support.MockExchange.Routed;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.requests.*;

/**
 * Answers each implemented API from the {@link Broker}'s state; the data path (Fetch), the
 * groups, the admin and the transaction APIs are in their own classes.
 */
final class Apis {

  private final Broker broker;
  private final FetchApi fetch;
  private final GroupApis groups;
  private final AdminApis admin;

  Apis(Broker broker) {
    this.broker = broker;
    this.fetch = new FetchApi(broker);
    this.groups = new GroupApis(broker);
    this.admin = new AdminApis(broker);
  }

  Routed<KafkaReply> handle(KafkaRequest request) {
    AbstractRequest body = request.body;
    short version = request.version();
    ApiTable.Range range = ApiTable.of(request.api());
    if (range == null || !range.contains(version)) {
      if (body instanceof ApiVersionsRequest) {
        return ready(apiVersions(Errors.UNSUPPORTED_VERSION));
      }
      return ready(body.getErrorResponse(new UnsupportedVersionException(
          request.api().name + " v" + version + " is not served by the Faultbox Kafka mock")));
    }
    return switch (request.api()) {
      case API_VERSIONS -> ready(apiVersions(((ApiVersionsRequest) body).hasUnsupportedRequestVersion()
          ? Errors.UNSUPPORTED_VERSION : Errors.NONE));
      case METADATA -> ready(metadata((MetadataRequest) body, version));
      case PRODUCE -> produce((ProduceRequest) body, request.duplicate);
      case FETCH -> fetch.fetch((FetchRequest) body, version);
      case LIST_OFFSETS -> ready(fetch.listOffsets((ListOffsetsRequest) body, version));
      case FIND_COORDINATOR -> ready(findCoordinator((FindCoordinatorRequest) body, version));
      case INIT_PRODUCER_ID -> ready(initProducerId((InitProducerIdRequest) body));
      case JOIN_GROUP -> later(groups.join((JoinGroupRequest) body, version, request.context));
      case SYNC_GROUP -> later(groups.sync((SyncGroupRequest) body));
      case HEARTBEAT -> {
        HeartbeatRequest h = (HeartbeatRequest) body;
        yield ready(new HeartbeatResponse(new HeartbeatResponseData().setErrorCode(
            broker.groups.heartbeat(h.data().groupId(), h.data().memberId(), h.data().generationId()).code())));
      }
      case LEAVE_GROUP -> ready(leaveGroup((LeaveGroupRequest) body, version));
      case OFFSET_COMMIT -> ready(groups.offsetCommit((OffsetCommitRequest) body));
      case OFFSET_FETCH -> ready(groups.offsetFetch((OffsetFetchRequest) body, version));
      case LIST_GROUPS -> ready(groups.listGroups((ListGroupsRequest) body));
      case DESCRIBE_GROUPS -> ready(groups.describeGroups((DescribeGroupsRequest) body));
      case CREATE_TOPICS -> ready(admin.createTopics((CreateTopicsRequest) body));
      case DELETE_TOPICS -> ready(admin.deleteTopics((DeleteTopicsRequest) body, version));
      case DESCRIBE_CONFIGS -> ready(admin.describeConfigs((DescribeConfigsRequest) body));
      case DESCRIBE_CLUSTER -> ready(admin.describeCluster());
      case ADD_PARTITIONS_TO_TXN -> ready(admin.addPartitionsToTxn((AddPartitionsToTxnRequest) body));
      case ADD_OFFSETS_TO_TXN -> ready(admin.addOffsetsToTxn((AddOffsetsToTxnRequest) body));
      case END_TXN -> ready(admin.endTxn((EndTxnRequest) body));
      case TXN_OFFSET_COMMIT -> ready(admin.txnOffsetCommit((TxnOffsetCommitRequest) body));
      default -> ready(body.getErrorResponse(new UnsupportedVersionException(request.api().name + " is not served")));
    };
  }

  static Routed<KafkaReply> ready(AbstractResponse response) {
    return new Routed.Ready<>(new KafkaReply.Answer(response));
  }

  static Routed<KafkaReply> later(CompletionStage<? extends AbstractResponse> response) {
    return new Routed.Later<>(response.thenApply(KafkaReply.Answer::new));
  }

  static ApiVersionsResponse apiVersions(Errors error) {
    ApiVersionsResponseData data = new ApiVersionsResponseData().setErrorCode(error.code()).setFinalizedFeaturesEpoch(-1);
    ApiTable.VERSIONS.forEach((api, range) -> data.apiKeys().add(
        new ApiVersion().setApiKey(api.id).setMinVersion(range.min()).setMaxVersion(range.max())));
    return new ApiVersionsResponse(data);
  }

  private MetadataResponse metadata(MetadataRequest request, short version) {
    MetadataResponseData data = new MetadataResponseData()
        .setClusterId(broker.clusterId).setControllerId(Broker.NODE_ID);
    data.brokers().add(new MetadataResponseData.MetadataResponseBroker()
        .setNodeId(Broker.NODE_ID).setHost(Broker.HOST).setPort(broker.port));
    if (request.isAllTopics()) {
      for (TopicLog t : broker.topics()) {
        data.topics().add(describe(t));
      }
    } else {
      for (MetadataRequestData.MetadataRequestTopic asked : request.data().topics()) {
        // No name means by id, as a broker reads it: a zero or unknown id is UNKNOWN_TOPIC_ID.
        boolean byId = asked.name() == null;
        TopicLog t = byId ? broker.topic(asked.topicId())
            : broker.topicOrCreate(asked.name(), version < 4 || request.allowAutoTopicCreation());
        if (t != null) {
          data.topics().add(describe(t));
          continue;
        }
        Errors error = byId ? Errors.UNKNOWN_TOPIC_ID
            : Broker.invalidName(asked.name()) != null ? Errors.INVALID_TOPIC_EXCEPTION : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        data.topics().add(new MetadataResponseData.MetadataResponseTopic().setErrorCode(error.code())
            .setName(asked.name()).setTopicId(byId ? asked.topicId() : Uuid.ZERO_UUID));
      }
    }
    return new MetadataResponse(data, version);
  }

  static MetadataResponseData.MetadataResponseTopic describe(TopicLog t) {
    MetadataResponseData.MetadataResponseTopic topic = new MetadataResponseData.MetadataResponseTopic()
        .setName(t.name).setTopicId(t.id).setIsInternal(false);
    for (int p = 0; p < t.partitions.length; p++) {
      topic.partitions().add(new MetadataResponseData.MetadataResponsePartition().setPartitionIndex(p)
          .setLeaderId(Broker.NODE_ID).setLeaderEpoch(0).setReplicaNodes(List.of(Broker.NODE_ID))
          .setIsrNodes(List.of(Broker.NODE_ID)).setOfflineReplicas(List.of()));
    }
    return topic;
  }

  private Routed<KafkaReply> produce(ProduceRequest request, boolean duplicate) {
    ProduceResponseData data = new ProduceResponseData();
    String error = null;
    for (ProduceRequestData.TopicProduceData topic : request.data().topicData()) {
      ProduceResponseData.TopicProduceResponse out = new ProduceResponseData.TopicProduceResponse().setName(topic.name());
      for (ProduceRequestData.PartitionProduceData p : topic.partitionData()) {
        Broker.Appended appended = p.records() instanceof MemoryRecords records
            ? broker.append(topic.name(), p.index(), records.buffer(), duplicate)
            : Broker.Appended.failed(Errors.CORRUPT_MESSAGE, "no record batch");
        if (appended.error() != Errors.NONE && error == null) {
          error = appended.error().name();
        }
        out.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse().setIndex(p.index())
            .setErrorCode(appended.error().code()).setBaseOffset(appended.baseOffset())
            .setLogAppendTimeMs(-1).setLogStartOffset(0).setErrorMessage(appended.message()));
      }
      data.responses().add(out);
    }
    if (request.acks() == 0) {
      return new Routed.Ready<>(new KafkaReply.Silent());
    }
    return new Routed.Ready<>(new KafkaReply.Answer(new ProduceResponse(data), error));
  }

  private FindCoordinatorResponse findCoordinator(FindCoordinatorRequest request, short version) {
    FindCoordinatorResponseData data = new FindCoordinatorResponseData();
    if (version < 4) {
      return new FindCoordinatorResponse(data.setNodeId(Broker.NODE_ID).setHost(Broker.HOST).setPort(broker.port)
          .setErrorMessage(null));
    }
    for (String key : request.data().coordinatorKeys()) {
      data.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey(key)
          .setNodeId(Broker.NODE_ID).setHost(Broker.HOST).setPort(broker.port));
    }
    return new FindCoordinatorResponse(data);
  }

  private InitProducerIdResponse initProducerId(InitProducerIdRequest request) {
    long[] id = broker.transactions.init(request.data().transactionalId(), request.data().producerId(),
        request.data().producerEpoch());
    return new InitProducerIdResponse(new InitProducerIdResponseData().setProducerId(id[0]).setProducerEpoch((short) id[1]));
  }

  private LeaveGroupResponse leaveGroup(LeaveGroupRequest request, short version) {
    String group = request.data().groupId();
    if (version < 3) {
      Errors e = broker.groups.leave(group, request.data().memberId(), null);
      return new LeaveGroupResponse(new LeaveGroupResponseData().setErrorCode(e.code()), version);
    }
    List<LeaveGroupResponseData.MemberResponse> members = new ArrayList<>();
    for (var m : request.data().members()) {
      Errors e = broker.groups.leave(group, m.memberId(), m.groupInstanceId());
      members.add(new LeaveGroupResponseData.MemberResponse().setMemberId(m.memberId())
          .setGroupInstanceId(m.groupInstanceId()).setErrorCode(e.code()));
    }
    return new LeaveGroupResponse(new LeaveGroupResponseData().setMembers(members), version);
  }
}
