package dev.faultbox.plugin.kafka;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The classic group coordinator: groups gather (JoinGroup, with the MEMBER_ID_REQUIRED exchange
 * of v4+), the leader's assignment is handed out (SyncGroup), members heartbeat and leave, and a
 * member that joins, leaves or stops heartbeating starts a rebalance. Committed offsets live here
 * too. A JoinGroup or SyncGroup that must wait for the others answers when the group moves on.
 * All state is guarded by the broker's lock.
 */
final class Groups {

  enum State {
    EMPTY("Empty"), PREPARING_REBALANCE("PreparingRebalance"), COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"), DEAD("Dead");

    final String text;

    State(String text) {
      this.text = text;
    }
  }

  static final class Member {
    final String id;
    String instanceId;
    String clientId;
    String clientHost;
    int sessionTimeoutMs;
    int rebalanceTimeoutMs;
    Map<String, byte[]> protocols = new LinkedHashMap<>();
    byte[] assignment = new byte[0];
    CompletableFuture<JoinGroupResponseData> join;
    CompletableFuture<SyncGroupResponseData> sync;
    long lastSeen;

    Member(String id) {
      this.id = id;
    }
  }

  static final class Group {
    final String id;
    State state = State.EMPTY;
    int generation;
    String protocolType;
    String protocol;
    String leader;
    final Map<String, Member> members = new LinkedHashMap<>();
    final Set<String> pending = new HashSet<>(); // told MEMBER_ID_REQUIRED, not joined yet
    long rebalanceDeadline;
    final Map<String, Map<Integer, Long>> offsets = new LinkedHashMap<>(); // topic -> partition -> offset

    Group(String id) {
      this.id = id;
    }
  }

  private final Broker broker;
  private final Map<String, Group> groups = new LinkedHashMap<>();

  Groups(Broker broker) {
    this.broker = broker;
  }

  Group group(String id) {
    synchronized (broker) {
      return groups.get(id);
    }
  }

  List<Group> all() {
    synchronized (broker) {
      return new ArrayList<>(groups.values());
    }
  }

  private static JoinGroupResponseData joinError(Errors error, String memberId) {
    return new JoinGroupResponseData().setErrorCode(error.code()).setMemberId(memberId).setGenerationId(-1)
        .setLeader("").setProtocolName(null);
  }

  CompletionStage<JoinGroupResponseData> join(JoinGroupRequestData req, short version, String clientId, String host) {
    synchronized (broker) {
      if (req.groupId() == null || req.groupId().isEmpty()) {
        return CompletableFuture.completedFuture(joinError(Errors.INVALID_GROUP_ID, req.memberId()));
      }
      if (req.sessionTimeoutMs() <= 0) {
        return CompletableFuture.completedFuture(joinError(Errors.INVALID_SESSION_TIMEOUT, req.memberId()));
      }
      Group g = groups.computeIfAbsent(req.groupId(), Group::new);
      if (!g.members.isEmpty() && g.protocolType != null && !g.protocolType.equals(req.protocolType())) {
        return CompletableFuture.completedFuture(joinError(Errors.INCONSISTENT_GROUP_PROTOCOL, req.memberId()));
      }
      String memberId = req.memberId();
      if (memberId.isEmpty()) {
        memberId = (clientId == null || clientId.isEmpty() ? "member" : clientId) + "-" + UUID.randomUUID();
        if (version >= 4 && req.groupInstanceId() == null) {
          g.pending.add(memberId);
          return CompletableFuture.completedFuture(joinError(Errors.MEMBER_ID_REQUIRED, memberId));
        }
      } else if (!g.members.containsKey(memberId) && !g.pending.contains(memberId)) {
        return CompletableFuture.completedFuture(joinError(Errors.UNKNOWN_MEMBER_ID, memberId));
      }
      g.pending.remove(memberId);
      Member m = g.members.computeIfAbsent(memberId, Member::new);
      m.instanceId = req.groupInstanceId();
      m.clientId = clientId;
      m.clientHost = host;
      m.sessionTimeoutMs = req.sessionTimeoutMs();
      m.rebalanceTimeoutMs = version == 0 ? req.sessionTimeoutMs() : req.rebalanceTimeoutMs();
      m.protocols = new LinkedHashMap<>();
      for (JoinGroupRequestData.JoinGroupRequestProtocol p : req.protocols()) {
        m.protocols.put(p.name(), p.metadata());
      }
      m.lastSeen = System.currentTimeMillis();
      g.protocolType = req.protocolType();
      if (m.join != null) {
        m.join.complete(joinError(Errors.UNKNOWN_MEMBER_ID, memberId)); // a second join replaces the first
      }
      m.join = new CompletableFuture<>();
      CompletableFuture<JoinGroupResponseData> answer = m.join;
      if (g.state != State.PREPARING_REBALANCE) {
        prepareRebalance(g);
      }
      tryCompleteJoin(g);
      return answer;
    }
  }

  private void prepareRebalance(Group g) {
    g.state = State.PREPARING_REBALANCE;
    int timeout = 0;
    for (Member m : g.members.values()) {
      timeout = Math.max(timeout, m.rebalanceTimeoutMs);
      if (m.sync != null) {
        CompletableFuture<SyncGroupResponseData> s = m.sync;
        m.sync = null;
        later(() -> s.complete(new SyncGroupResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code())));
      }
    }
    g.rebalanceDeadline = System.currentTimeMillis() + timeout;
  }

  private void tryCompleteJoin(Group g) {
    for (Member m : g.members.values()) {
      if (m.join == null) {
        return;
      }
    }
    completeJoin(g);
  }

  /** Ends the gathering: members that did not rejoin are out, the rest get the new generation. */
  private void completeJoin(Group g) {
    g.members.values().removeIf(m -> m.join == null);
    g.generation++;
    if (g.members.isEmpty()) {
      g.state = State.EMPTY;
      g.leader = null;
      g.protocol = null;
      record(g, "rebalance");
      return;
    }
    if (g.leader == null || !g.members.containsKey(g.leader)) {
      g.leader = g.members.keySet().iterator().next();
    }
    g.protocol = null;
    for (String name : g.members.get(g.leader).protocols.keySet()) {
      if (g.members.values().stream().allMatch(m -> m.protocols.containsKey(name))) {
        g.protocol = name;
        break;
      }
    }
    g.state = State.COMPLETING_REBALANCE;
    record(g, "rebalance");
    for (Member m : g.members.values()) {
      JoinGroupResponseData r = new JoinGroupResponseData().setGenerationId(g.generation)
          .setProtocolType(g.protocolType).setProtocolName(g.protocol).setLeader(g.leader).setMemberId(m.id);
      if (m.id.equals(g.leader)) {
        for (Member other : g.members.values()) {
          r.members().add(new JoinGroupResponseData.JoinGroupResponseMember().setMemberId(other.id)
              .setGroupInstanceId(other.instanceId).setMetadata(other.protocols.get(g.protocol)));
        }
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("group", g.id);
      fields.put("member", m.id);
      fields.put("generation", (long) g.generation);
      fields.put("leader", m.id.equals(g.leader));
      broker.recorder.record("join", fields);
      CompletableFuture<JoinGroupResponseData> f = m.join;
      m.join = null;
      m.lastSeen = System.currentTimeMillis();
      later(() -> f.complete(r));
    }
  }

  private void record(Group g, String op) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("group", g.id);
    fields.put("generation", (long) g.generation);
    fields.put("members", (long) g.members.size());
    fields.put("state", g.state.text);
    if (g.protocol != null) {
      fields.put("protocol", g.protocol);
    }
    if (g.leader != null) {
      fields.put("leader", g.leader);
    }
    broker.recorder.record(op, fields);
  }

  private void later(Runnable r) {
    try {
      broker.scheduler.execute(r);
    } catch (RuntimeException e) {
      r.run();
    }
  }

  /** The error for a member's request in generation {@code generation}, NONE when it may go on. */
  private static Errors check(Group g, String memberId, int generation) {
    if (g == null || !g.members.containsKey(memberId)) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    if (generation != g.generation) {
      return Errors.ILLEGAL_GENERATION;
    }
    return Errors.NONE;
  }

  CompletionStage<SyncGroupResponseData> sync(SyncGroupRequestData req) {
    synchronized (broker) {
      Group g = groups.get(req.groupId());
      Errors error = check(g, req.memberId(), req.generationId());
      if (error == Errors.NONE && g.state == State.PREPARING_REBALANCE) {
        error = Errors.REBALANCE_IN_PROGRESS;
      }
      if (error != Errors.NONE) {
        return CompletableFuture.completedFuture(new SyncGroupResponseData().setErrorCode(error.code()));
      }
      Member m = g.members.get(req.memberId());
      m.lastSeen = System.currentTimeMillis();
      if (g.state == State.STABLE) {
        return CompletableFuture.completedFuture(syncAnswer(g, m));
      }
      m.sync = new CompletableFuture<>();
      CompletableFuture<SyncGroupResponseData> answer = m.sync;
      if (m.id.equals(g.leader)) {
        for (SyncGroupRequestData.SyncGroupRequestAssignment a : req.assignments()) {
          Member target = g.members.get(a.memberId());
          if (target != null) {
            target.assignment = a.assignment();
          }
        }
        g.state = State.STABLE;
        for (Member each : g.members.values()) {
          if (each.sync != null) {
            CompletableFuture<SyncGroupResponseData> f = each.sync;
            each.sync = null;
            SyncGroupResponseData r = syncAnswer(g, each);
            later(() -> f.complete(r));
          }
        }
      }
      return answer;
    }
  }

  private static SyncGroupResponseData syncAnswer(Group g, Member m) {
    return new SyncGroupResponseData().setProtocolType(g.protocolType).setProtocolName(g.protocol)
        .setAssignment(m.assignment);
  }

  Errors heartbeat(String groupId, String memberId, int generation) {
    synchronized (broker) {
      Group g = groups.get(groupId);
      Errors error = check(g, memberId, generation);
      if (error != Errors.NONE) {
        return error;
      }
      g.members.get(memberId).lastSeen = System.currentTimeMillis();
      return g.state == State.PREPARING_REBALANCE ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
    }
  }

  /** Removes a member (by ID, or by instance ID when its ID is empty); the rest rebalance. */
  Errors leave(String groupId, String memberId, String instanceId) {
    synchronized (broker) {
      Group g = groups.get(groupId);
      if (g == null) {
        return Errors.UNKNOWN_MEMBER_ID;
      }
      String id = memberId;
      if ((id == null || id.isEmpty()) && instanceId != null) {
        id = g.members.values().stream().filter(m -> instanceId.equals(m.instanceId)).map(m -> m.id).findFirst().orElse(null);
      }
      Member m = id == null ? null : g.members.remove(id);
      if (m == null) {
        return Errors.UNKNOWN_MEMBER_ID;
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("group", g.id);
      fields.put("member", m.id);
      broker.recorder.record("leave", fields);
      if (m.join != null) {
        CompletableFuture<JoinGroupResponseData> f = m.join;
        later(() -> f.complete(joinError(Errors.UNKNOWN_MEMBER_ID, f == null ? "" : m.id)));
      }
      if (g.state != State.PREPARING_REBALANCE) {
        prepareRebalance(g);
      }
      tryCompleteJoin(g);
      return Errors.NONE;
    }
  }

  /** Drops members whose session ran out and ends gatherings whose rebalance time is up. */
  void sweep() {
    synchronized (broker) {
      long now = System.currentTimeMillis();
      for (Group g : groups.values()) {
        boolean lost = g.members.values().removeIf(m -> m.join == null && now - m.lastSeen > m.sessionTimeoutMs);
        if (lost && g.state != State.PREPARING_REBALANCE) {
          prepareRebalance(g);
        }
        if (g.state == State.PREPARING_REBALANCE && (now >= g.rebalanceDeadline || lost)) {
          if (now >= g.rebalanceDeadline) {
            completeJoin(g);
          } else {
            tryCompleteJoin(g);
          }
        }
      }
    }
  }

  // ---- offsets ----

  /** Whether a commit by {@code memberId} in {@code generation} may be stored: NONE, or why not. */
  Errors checkCommit(String groupId, String memberId, int generation) {
    synchronized (broker) {
      Group g = groups.get(groupId);
      if (generation < 0 && (memberId == null || memberId.isEmpty())) {
        return g == null || g.members.isEmpty() ? Errors.NONE : Errors.ILLEGAL_GENERATION; // a standalone consumer
      }
      Errors error = check(g, memberId, generation);
      if (error == Errors.NONE && g.state == State.PREPARING_REBALANCE) {
        return Errors.REBALANCE_IN_PROGRESS;
      }
      if (error == Errors.NONE) {
        g.members.get(memberId).lastSeen = System.currentTimeMillis();
      }
      return error;
    }
  }

  void commit(String groupId, String topic, int partition, long offset) {
    synchronized (broker) {
      Group g = groups.computeIfAbsent(groupId, Group::new);
      g.offsets.computeIfAbsent(topic, t -> new LinkedHashMap<>()).put(partition, offset);
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("group", groupId);
      fields.put("topic", topic);
      fields.put("partition", (long) partition);
      fields.put("offset", offset);
      broker.recorder.record("commit", fields);
    }
  }

  /** The committed offset, or -1. */
  long committed(String groupId, String topic, int partition) {
    synchronized (broker) {
      Group g = groups.get(groupId);
      Map<Integer, Long> byPartition = g == null ? null : g.offsets.get(topic);
      Long offset = byPartition == null ? null : byPartition.get(partition);
      return offset == null ? -1 : offset;
    }
  }

  Map<String, Map<Integer, Long>> committedAll(String groupId) {
    synchronized (broker) {
      Group g = groups.get(groupId);
      Map<String, Map<Integer, Long>> copy = new LinkedHashMap<>();
      if (g != null) {
        g.offsets.forEach((t, p) -> copy.put(t, new LinkedHashMap<>(p)));
      }
      return copy;
    }
  }
}
