package dev.faultbox.kernel.frontend;

/**
 * One spec file after the front-end: the user's source, the rewritten source that Starlark 4.2.1
 * compiles, and the map between them.
 *
 * @param file the file name as the user typed it; also the file name of the rewritten program
 * @param originalSource the user's text
 * @param source the rewritten text (equal to {@code originalSource} when nothing needed rewriting)
 * @param sourceMap rewritten positions back to {@code originalSource}
 * @param closures how many lambdas, nested defs and wrapped conditions were hoisted
 */
public record Translation(String file, String originalSource, String source, SourceMap sourceMap, int closures) {
  /** Whether the rewritten source differs from the original. */
  public boolean rewritten() {
    return closures > 0;
  }
}
