package dev.faultbox.plugin.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;

/** The group APIs as kafka-clients' request and response classes, over {@link Groups}. */
final class GroupApis {

  private final Broker broker;

  GroupApis(Broker broker) {
    this.broker = broker;
  }

  CompletionStage<JoinGroupResponse> join(JoinGroupRequest request, short version, RequestContext context) {
    String host = context.clientAddress == null ? "" : "/" + context.clientAddress.getHostAddress();
    return broker.groups.join(request.data(), version, context.clientId(), host)
        .thenApply(data -> new JoinGroupResponse(data, version));
  }

  CompletionStage<SyncGroupResponse> sync(SyncGroupRequest request) {
    return broker.groups.sync(request.data()).thenApply(SyncGroupResponse::new);
  }

  OffsetCommitResponse offsetCommit(OffsetCommitRequest request) {
    OffsetCommitRequestData data = request.data();
    Errors check = broker.groups.checkCommit(data.groupId(), data.memberId(), data.generationIdOrMemberEpoch());
    OffsetCommitResponseData out = new OffsetCommitResponseData();
    for (OffsetCommitRequestData.OffsetCommitRequestTopic t : data.topics()) {
      OffsetCommitResponseData.OffsetCommitResponseTopic topicOut = new OffsetCommitResponseData.OffsetCommitResponseTopic()
          .setName(t.name());
      TopicLog topic = broker.topic(t.name());
      for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
        Errors e = check;
        if (e == Errors.NONE && (topic == null || topic.partition(p.partitionIndex()) == null)) {
          e = Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (e == Errors.NONE) {
          broker.groups.commit(data.groupId(), t.name(), p.partitionIndex(), p.committedOffset());
        }
        topicOut.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
            .setPartitionIndex(p.partitionIndex()).setErrorCode(e.code()));
      }
      out.topics().add(topicOut);
    }
    return new OffsetCommitResponse(out);
  }

  OffsetFetchResponse offsetFetch(OffsetFetchRequest request, short version) {
    OffsetFetchRequestData data = request.data();
    if (version < 8) {
      List<OffsetFetchResponseData.OffsetFetchResponseTopic> topics = new ArrayList<>();
      for (var entry : asked(data.groupId(), data.topics() == null ? null
          : data.topics().stream().map(t -> Map.entry(t.name(), t.partitionIndexes())).toList())) {
        OffsetFetchResponseData.OffsetFetchResponseTopic t = new OffsetFetchResponseData.OffsetFetchResponseTopic()
            .setName(entry.getKey());
        for (long[] po : entry.getValue()) {
          t.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition().setPartitionIndex((int) po[0])
              .setCommittedOffset(po[1]).setCommittedLeaderEpoch(-1).setMetadata(""));
        }
        topics.add(t);
      }
      return new OffsetFetchResponse(new OffsetFetchResponseData().setTopics(topics), version);
    }
    OffsetFetchResponseData out = new OffsetFetchResponseData();
    for (OffsetFetchRequestData.OffsetFetchRequestGroup g : data.groups()) {
      OffsetFetchResponseData.OffsetFetchResponseGroup groupOut = new OffsetFetchResponseData.OffsetFetchResponseGroup()
          .setGroupId(g.groupId());
      for (var entry : asked(g.groupId(), g.topics() == null ? null
          : g.topics().stream().map(t -> Map.entry(t.name(), t.partitionIndexes())).toList())) {
        OffsetFetchResponseData.OffsetFetchResponseTopics t = new OffsetFetchResponseData.OffsetFetchResponseTopics()
            .setName(entry.getKey());
        for (long[] po : entry.getValue()) {
          t.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex((int) po[0])
              .setCommittedOffset(po[1]).setCommittedLeaderEpoch(-1).setMetadata(""));
        }
        groupOut.topics().add(t);
      }
      out.groups().add(groupOut);
    }
    return new OffsetFetchResponse(out, version);
  }

  /** {partition, committed offset or -1} per asked topic; every committed one when {@code topics} is null. */
  private List<Map.Entry<String, List<long[]>>> asked(String group, List<Map.Entry<String, List<Integer>>> topics) {
    List<Map.Entry<String, List<long[]>>> out = new ArrayList<>();
    if (topics == null) {
      broker.groups.committedAll(group).forEach((topic, partitions) -> {
        List<long[]> list = new ArrayList<>();
        partitions.forEach((p, o) -> list.add(new long[] {p, o}));
        out.add(Map.entry(topic, list));
      });
      return out;
    }
    for (Map.Entry<String, List<Integer>> t : topics) {
      List<long[]> list = new ArrayList<>();
      for (int p : t.getValue()) {
        list.add(new long[] {p, broker.groups.committed(group, t.getKey(), p)});
      }
      out.add(Map.entry(t.getKey(), list));
    }
    return out;
  }

  ListGroupsResponse listGroups(ListGroupsRequest request) {
    ListGroupsResponseData out = new ListGroupsResponseData();
    List<String> states = request.data().statesFilter();
    synchronized (broker) {
      for (Groups.Group g : broker.groups.all()) {
        if (states != null && !states.isEmpty() && states.stream().noneMatch(s -> s.equalsIgnoreCase(g.state.text))) {
          continue;
        }
        out.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId(g.id)
            .setProtocolType(g.protocolType == null ? "" : g.protocolType).setGroupState(g.state.text));
      }
    }
    return new ListGroupsResponse(out);
  }

  DescribeGroupsResponse describeGroups(DescribeGroupsRequest request) {
    DescribeGroupsResponseData out = new DescribeGroupsResponseData();
    synchronized (broker) {
      for (String id : request.data().groups()) {
        Groups.Group g = broker.groups.group(id);
        DescribeGroupsResponseData.DescribedGroup d = new DescribeGroupsResponseData.DescribedGroup().setGroupId(id);
        if (g == null) {
          out.groups().add(d.setGroupState(Groups.State.DEAD.text).setProtocolType("").setProtocolData(""));
          continue;
        }
        d.setGroupState(g.state.text).setProtocolType(g.protocolType == null ? "" : g.protocolType)
            .setProtocolData(g.protocol == null ? "" : g.protocol);
        for (Groups.Member m : g.members.values()) {
          d.members().add(new DescribeGroupsResponseData.DescribedGroupMember().setMemberId(m.id)
              .setGroupInstanceId(m.instanceId).setClientId(m.clientId == null ? "" : m.clientId)
              .setClientHost(m.clientHost == null ? "" : m.clientHost)
              .setMemberMetadata(g.protocol == null || m.protocols.get(g.protocol) == null ? new byte[0] : m.protocols.get(g.protocol))
              .setMemberAssignment(m.assignment));
        }
        out.groups().add(d);
      }
    }
    return new DescribeGroupsResponse(out);
  }
}
