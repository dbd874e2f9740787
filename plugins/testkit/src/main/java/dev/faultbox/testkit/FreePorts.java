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
 * Ports on 127.0.0.1 that were free a moment ago, for a test to bind again. They are drawn below
 * the kernel's ephemeral range, so no outgoing connection of this or another process can be
 * given one before the test binds it, and none is handed out twice in one JVM (a bind to port 0
 * may return the port just closed). Another process binding the same port by number is a race
 * tests accept.
 */
public final class FreePorts {
  private static final int LOWEST = 10_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
  private static final int EPHEMERAL_LOW = ephemeralLow();

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
      int port = LOWEST + ThreadLocalRandom.current().nextInt(EPHEMERAL_LOW - LOWEST);
      if (!HANDED_OUT.contains(port) && bindable(port, tcp) && HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free " + (tcp ? "TCP" : "UDP") + " port below " + EPHEMERAL_LOW);
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

  /** The first port of net.ipv4.ip_local_port_range where Linux says it; else Linux's default. */
  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int low = Integer.parseInt(range.split("\\s+")[0]);
      return low > LOWEST + 1_000 ? low : 32_768;
    } catch (IOException | RuntimeException notLinux) {
      return 32_768;
    }
  }
}
