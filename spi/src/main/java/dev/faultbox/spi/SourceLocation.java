package dev.faultbox.spi;

/** A place in a spec file, printed as {@code file:line:col}. */
public record SourceLocation(String file, int line, int column) {
  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
