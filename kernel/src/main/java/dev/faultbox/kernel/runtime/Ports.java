package dev.faultbox.kernel.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Whether a TCP port can be taken right now. */
final class Ports {
  private Ports() {}

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
