package dev.faultbox.kernel.spec;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.HexFormat;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.annot.StarlarkMethod;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.HasBinary;
import net.starlark.java.eval.Mutability;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.Sequence;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkInt;
import net.starlark.java.syntax.TokenKind;

/**
 * {@code bytes}: an immutable byte string, which the interpreter lacks. A request's exact body
 * ({@code req["raw"]}) is one, and {@code bytes_response(data = ...)} sends one back unchanged, so
 * binary payloads pass through a handler losslessly. Behaves as a sequence of ints 0..255:
 * {@code len}, indexing, slicing, {@code in}, iteration, {@code +} and {@code ==}.
 */
@StarlarkBuiltin(name = "bytes", doc = "An immutable byte string: len, index, slice, +, ==, .hex(), .text().")
public final class BytesValue extends AbstractList<StarlarkInt> implements Sequence<StarlarkInt>, HasBinary {
  private static final HexFormat HEX = HexFormat.of();
  private final byte[] data;

  private BytesValue(byte[] data) {
    this.data = data;
  }

  /** Wraps a copy of {@code data}. */
  public static BytesValue of(byte[] data) {
    return new BytesValue(data.clone());
  }

  /** A copy of the bytes. */
  public byte[] toByteArray() {
    return data.clone();
  }

  @StarlarkMethod(name = "hex", doc = "The bytes as lower-case hex digits: b.hex() == \"ff00\".")
  public String hex() {
    return HEX.formatHex(data);
  }

  @StarlarkMethod(name = "text", doc = "The bytes decoded as UTF-8; invalid sequences become U+FFFD.")
  public String text() {
    return new String(data, StandardCharsets.UTF_8);
  }

  /** {@code hex_bytes("ff00")}: the bytes spelled by hex digits. */
  static BytesValue fromHex(String hex) throws EvalException {
    try {
      return new BytesValue(HEX.parseHex(hex.replace(" ", "")));
    } catch (IllegalArgumentException e) {
      throw Starlark.errorf("hex_bytes(): %s is not an even number of hex digits", Starlark.repr(hex));
    }
  }

  @Override
  public StarlarkInt get(int i) {
    return StarlarkInt.of(data[i] & 0xff);
  }

  @Override
  public int size() {
    return data.length;
  }

  @Override
  public Sequence<StarlarkInt> getSlice(Mutability mu, int start, int stop, int step) {
    if (step == 1) {
      return new BytesValue(Arrays.copyOfRange(data, start, Math.max(start, stop)));
    }
    int n = step > 0 ? Math.max(0, (stop - start + step - 1) / step) : Math.max(0, (start - stop - step - 1) / -step);
    byte[] out = new byte[n];
    for (int k = 0, i = start; k < n; k++, i += step) {
      out[k] = data[i];
    }
    return new BytesValue(out);
  }

  @Override
  public Object binaryOp(TokenKind op, Object that, boolean thisLeft) throws EvalException {
    if (op == TokenKind.PLUS && that instanceof BytesValue b) {
      byte[] left = thisLeft ? data : b.data;
      byte[] right = thisLeft ? b.data : data;
      byte[] out = Arrays.copyOf(left, left.length + right.length);
      System.arraycopy(right, 0, out, left.length, right.length);
      return new BytesValue(out);
    }
    return null;
  }

  @Override
  public boolean isImmutable() {
    return true;
  }

  @Override
  public void checkHashable() {}

  @Override
  public boolean equals(Object o) {
    return o instanceof BytesValue b && Arrays.equals(data, b.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  /** {@code b"ab\xff"}, as Python writes it. */
  @Override
  public void repr(Printer p) {
    StringBuilder b = new StringBuilder("b\"");
    for (byte x : data) {
      int c = x & 0xff;
      if (c == '"' || c == '\\') {
        b.append('\\').append((char) c);
      } else if (c >= 0x20 && c < 0x7f) {
        b.append((char) c);
      } else if (c == '\n') {
        b.append("\\n");
      } else {
        b.append("\\x").append(HEX.toHexDigits((byte) c));
      }
    }
    p.append(b.append('"').toString());
  }
}
