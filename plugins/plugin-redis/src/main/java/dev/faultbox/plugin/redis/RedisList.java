package dev.faultbox.plugin.redis;

import java.util.ArrayList;
import java.util.List;

/** A list value: a growable ring, so pushes and pops at both ends are O(1) and indexing too. */
final class RedisList {
  private String[] items = new String[8];
  private int head;
  private int size;

  int size() {
    return size;
  }

  String get(int index) {
    return items[(head + index) & (items.length - 1)];
  }

  void addFirst(String item) {
    grow();
    head = (head - 1) & (items.length - 1);
    items[head] = item;
    size++;
  }

  void addLast(String item) {
    grow();
    items[(head + size) & (items.length - 1)] = item;
    size++;
  }

  String removeFirst() {
    String item = items[head];
    items[head] = null;
    head = (head + 1) & (items.length - 1);
    size--;
    return item;
  }

  String removeLast() {
    int at = (head + size - 1) & (items.length - 1);
    String item = items[at];
    items[at] = null;
    size--;
    return item;
  }

  /** Items {@code from..to}, both inclusive and already clamped to the list. */
  List<String> range(int from, int to) {
    List<String> out = new ArrayList<>(Math.max(0, to - from + 1));
    for (int i = from; i <= to; i++) {
      out.add(get(i));
    }
    return out;
  }

  private void grow() {
    if (size < items.length) {
      return;
    }
    String[] bigger = new String[items.length * 2];
    for (int i = 0; i < size; i++) {
      bigger[i] = get(i);
    }
    items = bigger;
    head = 0;
  }
}
