package dev.faultbox.plugin.kafka;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The APIs the broker implements and the versions it serves of each: the one table ApiVersions
 * advertises and the handler checks. Versions that would need what the mock does not do are left
 * out (Produce 13 and OffsetCommit/OffsetFetch 10 name topics by ID only; the transaction v5s and
 * InitProducerId 6 belong to transaction protocol 2, which is not advertised).
 */
final class ApiTable {
  private ApiTable() {}

  record Range(short min, short max) {
    boolean contains(short version) {
      return version >= min && version <= max;
    }
  }

  static final Map<ApiKeys, Range> VERSIONS;

  static {
    Map<ApiKeys, Range> v = new EnumMap<>(ApiKeys.class);
    put(v, ApiKeys.PRODUCE, 3, 12);
    put(v, ApiKeys.FETCH, 4, 17);
    put(v, ApiKeys.LIST_OFFSETS, 1, 9);
    put(v, ApiKeys.METADATA, 0, 12);
    put(v, ApiKeys.OFFSET_COMMIT, 2, 9);
    put(v, ApiKeys.OFFSET_FETCH, 1, 9);
    put(v, ApiKeys.FIND_COORDINATOR, 0, 6);
    put(v, ApiKeys.JOIN_GROUP, 0, 9);
    put(v, ApiKeys.HEARTBEAT, 0, 4);
    put(v, ApiKeys.LEAVE_GROUP, 0, 5);
    put(v, ApiKeys.SYNC_GROUP, 0, 5);
    put(v, ApiKeys.DESCRIBE_GROUPS, 0, 5);
    put(v, ApiKeys.LIST_GROUPS, 0, 4);
    put(v, ApiKeys.API_VERSIONS, 0, 4);
    put(v, ApiKeys.CREATE_TOPICS, 2, 7);
    put(v, ApiKeys.DELETE_TOPICS, 1, 6);
    put(v, ApiKeys.INIT_PRODUCER_ID, 0, 5);
    put(v, ApiKeys.ADD_PARTITIONS_TO_TXN, 0, 3);
    put(v, ApiKeys.ADD_OFFSETS_TO_TXN, 0, 4);
    put(v, ApiKeys.END_TXN, 0, 4);
    put(v, ApiKeys.TXN_OFFSET_COMMIT, 0, 4);
    put(v, ApiKeys.DESCRIBE_CONFIGS, 1, 4);
    put(v, ApiKeys.DESCRIBE_CLUSTER, 0, 1);
    VERSIONS = Collections.unmodifiableMap(v);
  }

  private static void put(Map<ApiKeys, Range> table, ApiKeys api, int min, int max) {
    table.put(api, new Range((short) min, (short) max));
  }

  /** The served range of {@code api}; null when the broker does not implement it. */
  static Range of(ApiKeys api) {
    return VERSIONS.get(api);
  }
}
