package dev.faultbox.plugin.redis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * A sorted set: members (binary strings) ordered by score, then by member bytes (unsigned, as
 * ISO-8859-1 chars compare). A tree of (score, member) for order and a map member → score for
 * lookups, so an update is O(log n); ranks are found by walking the tree, fine for a mock's sizes.
 */
final class ZSet {

  /** One member and its score; ordered as redis-server orders a zset. */
  record Item(double score, String member) implements Comparable<Item> {
    @Override
    public int compareTo(Item o) {
      // < and > rather than Double.compare: -0 and 0 are the same score, as in C.
      if (score < o.score) {
        return -1;
      }
      if (score > o.score) {
        return 1;
      }
      return member.compareTo(o.member);
    }
  }

  private final TreeSet<Item> items = new TreeSet<>();
  private final Map<String, Double> scores = new HashMap<>();

  int size() {
    return scores.size();
  }

  boolean isEmpty() {
    return scores.isEmpty();
  }

  Double score(String member) {
    return scores.get(member);
  }

  /** Sets {@code member}'s score (added or moved); -0 is kept as 0, as redis-server replies. */
  void put(String member, double score) {
    double s = score + 0.0;
    Double old = scores.put(member, s);
    if (old != null) {
      items.remove(new Item(old, member));
    }
    items.add(new Item(s, member));
  }

  boolean remove(String member) {
    Double old = scores.remove(member);
    if (old == null) {
      return false;
    }
    items.remove(new Item(old, member));
    return true;
  }

  /** Ascending (or descending) order, read-only: changes go through put and remove. */
  NavigableSet<Item> ordered(boolean reverse) {
    return Collections.unmodifiableNavigableSet(reverse ? items.descendingSet() : items);
  }

  List<Item> list() {
    return new ArrayList<>(items);
  }

  /** The 0-based rank of {@code member} from the low end (or the high end), -1 when absent. */
  long rank(String member, boolean reverse) {
    Double s = scores.get(member);
    if (s == null) {
      return -1;
    }
    Item target = new Item(s, member);
    int below = items.headSet(target, false).size();
    return reverse ? size() - 1 - below : below;
  }

  Item first(boolean reverse) {
    return items.isEmpty() ? null : reverse ? items.last() : items.first();
  }

  ZSet copy() {
    ZSet z = new ZSet();
    z.items.addAll(items);
    z.scores.putAll(scores);
    return z;
  }

  Map<String, Double> scores() {
    return scores;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ZSet z && z.scores.equals(scores);
  }

  @Override
  public int hashCode() {
    return scores.hashCode();
  }
}
