package dev.faultbox.plugin.redis;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * INCRBYFLOAT and HINCRBYFLOAT as redis-server on x86-64 computes them: in C's {@code long double}
 * (x87 80-bit: a 64-bit significand), parsed by {@code strtold} (decimal, hex, {@code inf}) and
 * printed with {@code %.17Lf} less trailing zeros. A double would differ in what clients see
 * ({@code 5010 + 1e-5} is {@code 5010.00001000000000007}; {@code 1e308 + 1e308} is finite).
 * Values are held exactly as BigDecimal and rounded to the nearest long double after each step.
 */
final class LongDouble {
  private LongDouble() {}

  /** A parsed {@code inf} or {@code infinity}: valid input, but every sum with it is refused. */
  static final BigDecimal INFINITE = new BigDecimal("1e999999");

  /** redis-server's MAX_LONG_DOUBLE_CHARS: longer input is not a float. */
  private static final int MAX_CHARS = 5 * 1024;
  /** The smallest subnormal is 2^-16445; values reach below 2^16384. */
  private static final int MIN_QUANTUM = -16445;
  private static final int MAX_EXPONENT = 16384;

  private static final Pattern DECIMAL = Pattern.compile("([+-]?(?:\\d+\\.?\\d*|\\.\\d+))(?:[eE]([+-]?\\d+))?");
  private static final Pattern HEX = Pattern.compile("([+-]?)0[xX]([0-9a-fA-F]*)(?:\\.([0-9a-fA-F]*))?(?:[pP]([+-]?\\d+))?");
  private static final Pattern INF = Pattern.compile("[+-]?(?:inf|infinity)", Pattern.CASE_INSENSITIVE);

  /** redis-server's string2ld: the value, {@link #INFINITE}, or null when it is not a float. */
  static BigDecimal parse(String s) {
    if (s.isEmpty() || s.length() >= MAX_CHARS) {
      return null;
    }
    if (INF.matcher(s).matches()) {
      return INFINITE;
    }
    BigDecimal exact = exact(s);
    if (exact == null) {
      return null;
    }
    BigDecimal rounded = round(exact);
    // strtold's ERANGE: an overflow, or an underflow to zero, is refused.
    return rounded == INFINITE || (rounded.signum() == 0 && exact.signum() != 0) ? null : rounded;
  }

  /** The exact value written in {@code s}, {@link #INFINITE} when far too large, null when not a number. */
  private static BigDecimal exact(String s) {
    Matcher d = DECIMAL.matcher(s);
    if (d.matches()) {
      BigDecimal mantissa = new BigDecimal(d.group(1).endsWith(".") ? d.group(1) + "0" : d.group(1));
      long exponent = d.group(2) == null ? 0 : saturated(d.group(2));
      if (mantissa.signum() == 0) {
        return BigDecimal.ZERO;
      }
      long adjusted = mantissa.precision() - mantissa.scale() - 1 + exponent;
      if (adjusted > 5000) {
        return INFINITE;
      }
      if (adjusted < -5000) {
        return BigDecimal.ONE.movePointLeft(6000).multiply(BigDecimal.valueOf(mantissa.signum()));
      }
      return mantissa.scaleByPowerOfTen((int) exponent);
    }
    Matcher h = HEX.matcher(s);
    if (h.matches() && !(h.group(2).isEmpty() && (h.group(3) == null || h.group(3).isEmpty()))) {
      String frac = h.group(3) == null ? "" : h.group(3);
      BigInteger m = new BigInteger(h.group(2) + frac + "0", 16).shiftRight(4);
      long exponent = (h.group(4) == null ? 0 : saturated(h.group(4))) - 4L * frac.length();
      if (m.signum() == 0) {
        return BigDecimal.ZERO;
      }
      long top = m.bitLength() + exponent;
      if (top > MAX_EXPONENT + 1) {
        return INFINITE;
      }
      if (top < MIN_QUANTUM - 2) {
        return BigDecimal.ONE.movePointLeft(6000);
      }
      BigDecimal v = times2(new BigDecimal(m), (int) exponent);
      return h.group(1).equals("-") ? v.negate() : v;
    }
    return null;
  }

  private static long saturated(String digits) {
    try {
      return Long.parseLong(digits.startsWith("+") ? digits.substring(1) : digits);
    } catch (NumberFormatException tooLong) {
      return digits.startsWith("-") ? -1_000_000 : 1_000_000;
    }
  }

  /** {@code a + b} as a long double; {@link #INFINITE} for NaN or infinity. */
  static BigDecimal add(BigDecimal a, BigDecimal b) {
    if (a == INFINITE || b == INFINITE) {
      return INFINITE;
    }
    return round(a.add(b));
  }

  /** {@code x} rounded to the nearest long double (ties to even); {@link #INFINITE} on overflow. */
  static BigDecimal round(BigDecimal x) {
    if (x == INFINITE) {
      return INFINITE;
    }
    if (x.signum() == 0) {
      return BigDecimal.ZERO;
    }
    BigDecimal abs = x.abs();
    int log2 = floorLog2(abs);
    int quantum = Math.max(log2 - 63, MIN_QUANTUM);
    BigInteger m = times2(abs, -quantum).setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact();
    if (m.signum() == 0) {
      return BigDecimal.ZERO;
    }
    if (m.bitLength() + quantum > MAX_EXPONENT) {
      return INFINITE;
    }
    BigDecimal v = times2(new BigDecimal(m), quantum);
    return x.signum() < 0 ? v.negate() : v;
  }

  /** {@code %.17Lf} without trailing zeros, as redis-server's ld2string(LD_STR_HUMAN). */
  static String format(BigDecimal v) {
    String s = v.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
    int end = s.length();
    while (s.charAt(end - 1) == '0') {
      end--;
    }
    if (s.charAt(end - 1) == '.') {
      end--;
    }
    s = s.substring(0, end);
    return s.equals("-0") ? "0" : s;
  }

  /** {@code v * 2^n}, exact. */
  private static BigDecimal times2(BigDecimal v, int n) {
    if (n >= 0) {
      return v.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(n)));
    }
    // 2^-k = 5^k / 10^k
    return v.multiply(new BigDecimal(BigInteger.valueOf(5).pow(-n), -n));
  }

  /** floor(log2(v)) for v > 0. */
  private static int floorLog2(BigDecimal v) {
    BigInteger unscaled = v.unscaledValue();
    int scale = v.scale();
    // log2(u / 10^scale) ~ bitLength(u) - scale * log2(10); then correct by comparison.
    int guess = unscaled.bitLength() - 1 - (int) Math.round(scale * 3.321928094887362);
    while (times2(BigDecimal.ONE, guess).compareTo(v) > 0) {
      guess--;
    }
    while (times2(BigDecimal.ONE, guess + 1).compareTo(v) <= 0) {
      guess++;
    }
    return guess;
  }
}
