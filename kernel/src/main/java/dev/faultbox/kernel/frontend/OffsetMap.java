package dev.faultbox.kernel.frontend;

import java.util.Arrays;

/**
 * Text being generated from a source text, plus the map from each generated offset back to a
 * source offset. Copied runs map one to one; synthetic text maps to its anchor in the source.
 */
final class OffsetMap {
  private final StringBuilder out;
  private int[] dst = new int[64];
  private int[] src = new int[64];
  private int[] len = new int[64];
  private boolean[] synth = new boolean[64];
  private int n;

  OffsetMap(int capacity) {
    out = new StringBuilder(capacity);
  }

  int length() {
    return out.length();
  }

  String text() {
    return out.toString();
  }

  /** Appends {@code from[a, b)} as a copied run. */
  void copy(String from, int a, int b) {
    if (b <= a) {
      return;
    }
    int d = out.length();
    out.append(from, a, b);
    if (n > 0 && !synth[n - 1] && dst[n - 1] + len[n - 1] == d && src[n - 1] + len[n - 1] == a) {
      len[n - 1] += b - a;
      return;
    }
    add(d, a, b - a, false);
  }

  /** Appends synthetic text that maps to source offset {@code anchor}. */
  void synth(String text, int anchor) {
    if (text.isEmpty()) {
      return;
    }
    add(out.length(), anchor, text.length(), true);
    out.append(text);
  }

  private void add(int d, int s, int l, boolean sy) {
    if (n == dst.length) {
      int m = n * 2;
      dst = Arrays.copyOf(dst, m);
      src = Arrays.copyOf(src, m);
      len = Arrays.copyOf(len, m);
      synth = Arrays.copyOf(synth, m);
    }
    dst[n] = d;
    src[n] = s;
    len[n] = l;
    synth[n] = sy;
    n++;
  }

  /** Whether a generated offset lies in synthetic text. */
  boolean isSynthetic(int offset) {
    int i = segment(offset);
    return i >= 0 && synth[i] && offset < dst[i] + len[i];
  }

  private int segment(int offset) {
    if (n == 0) {
      return -1;
    }
    int lo = 0;
    int hi = n - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (dst[mid] <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** Maps a generated offset to a source offset. */
  int toSource(int offset) {
    if (n == 0) {
      return 0;
    }
    int lo = segment(offset);
    if (synth[lo]) {
      return src[lo];
    }
    return src[lo] + Math.min(Math.max(offset - dst[lo], 0), len[lo]);
  }

  /** Offsets of line starts (index 0 = line 1) of a text. */
  static int[] lineStarts(String text) {
    int count = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        count++;
      }
    }
    int[] starts = new int[count];
    int k = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        starts[k++] = i + 1;
      }
    }
    return starts;
  }

  /** 1-based line and column to offset. */
  static int offsetOf(int[] starts, int line, int col, int textLength) {
    if (line < 1) {
      return 0;
    }
    if (line > starts.length) {
      return textLength;
    }
    return Math.min(starts[line - 1] + Math.max(col, 1) - 1, textLength);
  }

  /** Offset to {line, col}, both 1-based. */
  static int[] lineCol(int[] starts, int offset) {
    int i = Arrays.binarySearch(starts, offset);
    if (i < 0) {
      i = -i - 2;
    }
    i = Math.max(i, 0);
    return new int[] {i + 1, offset - starts[i] + 1};
  }
}
