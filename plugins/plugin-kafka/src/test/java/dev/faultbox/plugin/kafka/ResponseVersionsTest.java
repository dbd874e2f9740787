package dev.faultbox.plugin.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.plugin.support.MockExchange;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.*;
import org.apache.kafka.common.network.ClientInformation;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every advertised API at every advertised version: a request naming an existing topic, a
 * partition, a group and a transaction is answered, and the answer serialises at that version
 * and parses back. Catches a field set that the version cannot carry.
 */
class ResponseVersionsTest {

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private static ApiMessage populated(ApiKeys api, short version, Uuid topicId) {
    String t = "orders";
    return switch (api) {
      case METADATA -> new MetadataRequestData().setTopics(List.of(version >= 10
          ? new MetadataRequestData.MetadataRequestTopic().setName(t).setTopicId(Uuid.ZERO_UUID)
          : new MetadataRequestData.MetadataRequestTopic().setName(t)));
      case PRODUCE -> {
        ProduceRequestData d = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(1000);
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName(t);
        td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0)
            .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()))));
        td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(9)
            .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()))));
        d.topicData().add(td);
        yield d;
      }
      case FETCH -> new FetchRequestData().setMaxWaitMs(0).setMinBytes(0).setReplicaId(-1).setTopics(List.of(
          new FetchRequestData.FetchTopic().setTopic(version >= 13 ? "" : t).setTopicId(version >= 13 ? topicId : Uuid.ZERO_UUID)
              .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20),
                  new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(99).setPartitionMaxBytes(1 << 20)))));
      case LIST_OFFSETS -> new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(new ListOffsetsRequestData.ListOffsetsTopic()
          .setName(t).setPartitions(List.of(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1),
              new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(5).setTimestamp(-2)))));
      case OFFSET_COMMIT -> new OffsetCommitRequestData().setGroupId("g").setGenerationIdOrMemberEpoch(-1).setMemberId("")
          .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(t)
              .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1)))));
      case OFFSET_FETCH -> version >= 8
          ? new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("g")
              .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(t).setPartitionIndexes(List.of(0))))))
          : new OffsetFetchRequestData().setGroupId("g").setTopics(List.of(
              new OffsetFetchRequestData.OffsetFetchRequestTopic().setName(t).setPartitionIndexes(List.of(0))));
      case FIND_COORDINATOR -> version >= 4
          ? new FindCoordinatorRequestData().setCoordinatorKeys(List.of("g")) : new FindCoordinatorRequestData().setKey("g");
      case JOIN_GROUP -> {
        JoinGroupRequestData d = new JoinGroupRequestData().setGroupId("j" + version).setSessionTimeoutMs(10_000)
            .setRebalanceTimeoutMs(10_000).setMemberId("").setProtocolType("consumer");
        d.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {1}));
        yield d;
      }
      case SYNC_GROUP -> new SyncGroupRequestData().setGroupId("g").setGenerationId(1).setMemberId("m");
      case HEARTBEAT -> new HeartbeatRequestData().setGroupId("g").setGenerationId(1).setMemberId("m");
      case LEAVE_GROUP -> version >= 3
          ? new LeaveGroupRequestData().setGroupId("g").setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId("m")))
          : new LeaveGroupRequestData().setGroupId("g").setMemberId("m");
      case DESCRIBE_GROUPS -> new DescribeGroupsRequestData().setGroups(List.of("g", "none"));
      case CREATE_TOPICS -> {
        CreateTopicsRequestData d = new CreateTopicsRequestData().setTimeoutMs(1000);
        d.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("new" + version).setNumPartitions(2).setReplicationFactor((short) 1));
        d.topics().add(new CreateTopicsRequestData.CreatableTopic().setName(t).setNumPartitions(2).setReplicationFactor((short) 1));
        yield d;
      }
      case DELETE_TOPICS -> version >= 6
          ? new DeleteTopicsRequestData().setTopics(List.of(new DeleteTopicsRequestData.DeleteTopicState().setName("gone")))
          : new DeleteTopicsRequestData().setTopicNames(List.of("gone"));
      case DESCRIBE_CONFIGS -> new DescribeConfigsRequestData().setResources(List.of(
          new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2).setResourceName(t),
          new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 4).setResourceName("1")));
      case INIT_PRODUCER_ID -> new InitProducerIdRequestData().setTransactionalId(version >= 0 ? "tx" : null).setTransactionTimeoutMs(1000);
      case ADD_PARTITIONS_TO_TXN -> {
        AddPartitionsToTxnRequestData d = new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId("tx")
            .setV3AndBelowProducerId(1000).setV3AndBelowProducerEpoch((short) 0);
        d.v3AndBelowTopics().add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName(t).setPartitions(List.of(0)));
        yield d;
      }
      case ADD_OFFSETS_TO_TXN -> new AddOffsetsToTxnRequestData().setTransactionalId("tx").setProducerId(1000).setGroupId("g");
      case TXN_OFFSET_COMMIT -> new TxnOffsetCommitRequestData().setTransactionalId("tx").setProducerId(1000).setGroupId("g")
          .setTopics(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName(t).setPartitions(List.of(
              new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1)))));
      case END_TXN -> new EndTxnRequestData().setTransactionalId("tx").setProducerId(1000).setCommitted(true);
      default -> ApiMessageType.fromApiKey(api.id).newRequest();
    };
  }

  @Test
  void everyResponseSerialisesAtEveryAdvertisedVersion() throws Exception {
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (Map.Entry<ApiKeys, ApiTable.Range> e : ApiTable.VERSIONS.entrySet()) {
      ApiKeys api = e.getKey();
      assertThat(e.getValue().max()).as(api.name).isLessThanOrEqualTo(api.latestVersion());
      assertThat(e.getValue().min()).as(api.name).isGreaterThanOrEqualTo(api.oldestVersion());
      for (short v = e.getValue().min(); v <= e.getValue().max(); v++) {
        Broker broker = new Broker("cluster", true, 1, (op, fields) -> { }, scheduler);
        broker.port = 9092;
        TopicLog topic = broker.create("orders", 1);
        broker.append("orders", 0, MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("seed".getBytes())).buffer(), false);
        broker.transactions.init("tx", -1, (short) -1);
        try {
          ApiMessage data = populated(api, v, topic.id);
          ByteBuffer body = MessageUtil.toByteBufferAccessor(data, v).buffer();
          AbstractRequest request = AbstractRequest.parseRequest(api, v, new ByteBufferAccessor(body)).request;
          RequestHeader header = new RequestHeader(api, v, "test", 7);
          RequestContext context = new RequestContext(header, "c", InetAddress.getLoopbackAddress(), Optional.of(1),
              KafkaPrincipal.ANONYMOUS, ListenerName.forSecurityProtocol(SecurityProtocol.PLAINTEXT),
              SecurityProtocol.PLAINTEXT, ClientInformation.EMPTY, false);
          var routed = new Apis(broker).handle(new KafkaRequest(context, request, null, 0));
          KafkaReply reply = routed instanceof MockExchange.Routed.Ready<KafkaReply> r ? r.reply()
              : ((MockExchange.Routed.Later<KafkaReply>) routed).reply().toCompletableFuture().get(15, TimeUnit.SECONDS);
          if (reply instanceof KafkaReply.Answer answer) {
            ByteBuffer out = context.buildResponseEnvelopePayload(answer.response());
            AbstractResponse back = AbstractResponse.parseResponse(out, header);
            assertThat(back.apiKey()).isEqualTo(api);
          }
          checked++;
        } catch (Exception | AssertionError ex) {
          failures.add(api.name + " v" + v + ": " + ex);
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(checked).isGreaterThan(150);
  }
}
