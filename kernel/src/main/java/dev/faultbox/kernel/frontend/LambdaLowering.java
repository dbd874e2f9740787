package dev.faultbox.kernel.frontend;

import dev.faultbox.kernel.SpecException;
import java.util.function.IntFunction;

/**
 * Pass 1: replaces each {@code lambda PARAMS: BODY} by the stand-in call
 * {@code __LAMBDA__(PARAMS)(BODY)}, which Starlark 4.2.1's parser accepts, so the whole file parses
 * into a real syntax tree. A bare {@code *} among the parameters becomes {@code *__KW__}. Every
 * synthetic character maps back to the original token it replaces.
 */
final class LambdaLowering {
  static final String STAND_IN = "__LAMBDA__";
  static final String BARE_STAR = "__KW__";

  private final Tokens t;
  private final String src;
  private final OffsetMap out;
  private final IntFunction<String> where;
  private int copied;
  int lambdas;

  private LambdaLowering(String src, IntFunction<String> where) {
    this.src = src;
    this.t = Tokens.scan(src);
    this.out = new OffsetMap(src.length() + 64);
    this.where = where;
  }

  /** Returns the stand-in text and its map back to {@code src}; null map if nothing changed. */
  static OffsetMap lower(String src, IntFunction<String> where) throws SpecException {
    if (!src.contains("lambda")) {
      return null;
    }
    LambdaLowering l = new LambdaLowering(src, where);
    for (int i = 0; i < l.t.n; ) {
      i = l.t.isName(i, "lambda") ? l.lambda(i) : i + 1;
    }
    if (l.lambdas == 0) {
      return null;
    }
    l.out.copy(src, l.copied, src.length());
    return l.out;
  }

  private void replace(int a, int b, String text) {
    out.copy(src, copied, a);
    out.synth(text, a);
    copied = b;
  }

  private void insert(int at, String text, int anchor) {
    out.copy(src, copied, at);
    out.synth(text, anchor);
    copied = at;
  }

  private SpecException error(int tok, String msg) {
    return new SpecException(where.apply(t.start[tok]), msg);
  }

  /** Lowers the lambda whose keyword is token {@code i}; returns the first token after it. */
  private int lambda(int i) throws SpecException {
    lambdas++;
    replace(t.start[i], t.end[i], STAND_IN + "(");
    int j = i + 1;
    int depth = 0;
    while (true) {
      byte k = t.kind[j];
      if (k == Tokens.EOF || k == Tokens.NEWLINE) {
        throw error(j, "syntax error at '" + t.text(j) + "': expected ':' to end the lambda parameters");
      }
      if (t.isName(j, "lambda")) {
        j = lambda(j);
        continue;
      }
      if (t.isOpen(j)) {
        depth++;
      } else if (t.isClose(j)) {
        if (depth == 0) {
          throw error(j, "syntax error at '" + t.text(j) + "': expected ':' to end the lambda parameters");
        }
        depth--;
      } else if (depth == 0 && t.isOp(j, ':')) {
        break;
      } else if (depth == 0 && t.isOp(j, '*') && (t.isOp(j + 1, ',') || t.isOp(j + 1, ':'))) {
        replace(t.start[j], t.end[j], "*" + BARE_STAR);
      }
      j++;
    }
    replace(t.start[j], t.end[j], ")(");
    int bodyStart = ++j;
    depth = 0;
    while (true) {
      if (t.isName(j, "lambda")) {
        j = lambda(j);
        continue;
      }
      byte k = t.kind[j];
      if (depth == 0
          && (k == Tokens.NEWLINE || k == Tokens.EOF || t.isClose(j) || t.isOp(j, ',')
              || t.isOp(j, ';') || t.isOp(j, ':') || t.isName(j, "for"))) {
        break;
      }
      if (k == Tokens.NEWLINE || k == Tokens.EOF) {
        break; // unbalanced brackets: let the parser report it
      }
      if (t.isOpen(j)) {
        depth++;
      } else if (t.isClose(j)) {
        depth--;
      }
      j++;
    }
    if (j == bodyStart) {
      throw error(j, "syntax error at '" + t.text(j) + "': expected an expression after 'lambda ...:'");
    }
    insert(t.end[j - 1], ")", t.start[j]);
    return j;
  }
}
