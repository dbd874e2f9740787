package dev.faultbox.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports on 127.0.0.1 that were free a moment ago, for a test to bind again. They are drawn outside
 * the kernel's ephemeral range where it leaves room (below it, or above it), so no outgoing
 * connection of this or another process can be given one before the test binds it, and none is
 * handed out twice in one JVM (a bind to port 0 may return the port just closed). Another process
 * binding the same port by number is a race tests accept.
 */
public final class FreePorts {
  private static final int LOWEST = 10_000;
  private static final int ROOM = 1_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
  /** Where ports are drawn from, [from, to): outside the ephemeral range, else (no room) anywhere above LOWEST. */
  private static final int[] RANGE = range();

  private FreePorts() {}

  /** A TCP port nothing listens on right now. */
  public static int tcp() {
    return pick(true);
  }

  /** A UDP port nothing is bound to right now. */
  public static int udp() {
    return pick(false);
  }

  /** 127.0.0.1. */
  public static InetAddress loopback() {
    try {
      return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int pick(boolean tcp) {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = RANGE[0] + ThreadLocalRandom.current().nextInt(RANGE[1] - RANGE[0]);
      if (!HANDED_OUT.contains(port) && bindable(port, tcp) && HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free " + (tcp ? "TCP" : "UDP") + " port in " + RANGE[0] + ".." + (RANGE[1] - 1));
  }

  private static boolean bindable(int port, boolean tcp) {
    InetSocketAddress at = new InetSocketAddress(loopback(), port);
    if (tcp) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(at, 1);
        return true;
      } catch (IOException busy) {
        return false;
      }
    }
    try (DatagramSocket socket = new DatagramSocket(at)) {
      return true;
    } catch (IOException busy) {
      return false;
    }
  }

  /** Below net.ipv4.ip_local_port_range, else above it, else (a range of nearly every port) above LOWEST. */
  private static int[] range() {
    int low = 32_768;
    int high = 60_999; // Linux's default
    try {
      // A reader, not Files.readString: procfs files report size 0, and readString then stops early.
      String line;
      try (var reader = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
        line = reader.readLine();
      }
      String[] range = line.trim().split("\\s+");
      low = Integer.parseInt(range[0]);
      high = Integer.parseInt(range[1]);
    } catch (IOException | RuntimeException notLinux) {
      // the default
    }
    if (low - LOWEST >= ROOM) {
      return new int[] {LOWEST, low};
    }
    if (65_535 - high >= ROOM) {
      return new int[] {high + 1, 65_536};
    }
    return new int[] {LOWEST, 65_536};
  }
}
