package dev.faultbox.kernel.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Whether a TCP port can be taken right now, and how an address is written. */
public final class Ports {
  private Ports() {}

  /** {@code 127.0.0.1:8090}, {@code [::1]:8090}: an IPv6 host in brackets, as in a URL. */
  public static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** {@link #hostPort(String, int)} of a bound address, by its numeric host ({@code ::1}, not {@code 0:0:0:0:0:0:0:1}). */
  public static String hostPort(InetSocketAddress address) {
    return hostPort(numericHost(address.getAddress()), address.getPort());
  }

  /** An address as people write it: IPv6 in the short form of RFC 5952, without a scope. */
  static String numericHost(InetAddress address) {
    String full = address.getHostAddress();
    if (!(address instanceof java.net.Inet6Address)) {
      return full;
    }
    int scope = full.indexOf('%');
    String[] groups = (scope < 0 ? full : full.substring(0, scope)).split(":");
    int bestAt = -1;
    int bestLen = 1; // a lone zero group stays "0"
    for (int i = 0; i < groups.length; ) {
      int j = i;
      while (j < groups.length && groups[j].equals("0")) {
        j++;
      }
      if (j - i > bestLen) {
        bestAt = i;
        bestLen = j - i;
      }
      i = Math.max(j, i + 1);
    }
    if (bestAt < 0) {
      return String.join(":", groups);
    }
    String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestAt));
    String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestAt + bestLen, groups.length));
    return head + "::" + tail;
  }

  static boolean free(InetAddress address, int port) {
    InetAddress at = address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : address;
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(at, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
