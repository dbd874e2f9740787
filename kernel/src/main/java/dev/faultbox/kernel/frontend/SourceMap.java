package dev.faultbox.kernel.frontend;

/**
 * Maps positions in a rewritten spec back to the user's original source.
 * Lines and columns are 1-based, as in {@link net.starlark.java.syntax.Location}.
 */
public final class SourceMap {
  private final int[] rewrittenLines;
  private final int rewrittenLength;
  private final OffsetMap rewrittenToStandIn; // null: identity
  private final OffsetMap standInToOriginal; // null: identity
  private final int[] originalLines;

  SourceMap(String rewritten, OffsetMap rewrittenToStandIn, OffsetMap standInToOriginal, String original) {
    this.rewrittenLines = OffsetMap.lineStarts(rewritten);
    this.rewrittenLength = rewritten.length();
    this.rewrittenToStandIn = rewrittenToStandIn;
    this.standInToOriginal = standInToOriginal;
    this.originalLines = OffsetMap.lineStarts(original);
  }

  /** Identity map for a source that needed no rewriting. */
  static SourceMap identity(String source) {
    return new SourceMap(source, null, null, source);
  }

  /** Returns {line, column} in the original source for a rewritten line and column. */
  public int[] toOriginal(int line, int column) {
    if (rewrittenToStandIn == null && standInToOriginal == null) {
      return new int[] {line, column};
    }
    int off = OffsetMap.offsetOf(rewrittenLines, line, column, rewrittenLength);
    return OffsetMap.lineCol(originalLines, standInToOriginal(rewrittenToStandIn(off)));
  }

  int rewrittenToStandIn(int off) {
    return rewrittenToStandIn == null ? off : rewrittenToStandIn.toSource(off);
  }

  int standInToOriginal(int off) {
    return standInToOriginal == null ? off : standInToOriginal.toSource(off);
  }

  /** Whether a stand-in offset lies in text the front-end synthesized. */
  boolean standInIsSynthetic(int off) {
    return standInToOriginal != null && standInToOriginal.isSynthetic(off);
  }

  int standInOffset(int line, int column) {
    return OffsetMap.offsetOf(rewrittenLines, line, column, rewrittenLength);
  }

  int[] originalLineCol(int originalOffset) {
    return OffsetMap.lineCol(originalLines, originalOffset);
  }
}
