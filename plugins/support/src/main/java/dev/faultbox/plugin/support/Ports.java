package dev.faultbox.plugin.support;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * Binding a listener and releasing its port: the bind waited for, bounded, with the cause passed
 * on as the JDK raised it, and the release waited for until the port can be bound again. Every
 * plugin's {@code MockServer.close()} returns through {@link #awaitReleased}.
 */
public final class Ports {

  public static final long BIND_WAIT_MS = 10_000;
  public static final long CLOSE_WAIT_MS = 5_000;
  /** How long {@link #awaitReleased} waits for the OS to let go of a closed port. */
  public static final long RELEASE_WAIT_MS = 2_000;

  private Ports() {}

  /**
   * @throws java.net.BindException unwrapped, when the port is taken
   */
  public static Channel bind(ChannelFuture future, InetSocketAddress at) throws Exception {
    if (!future.awaitUninterruptibly(BIND_WAIT_MS)) {
      future.cancel(false);
      future.channel().close();
      throw new IOException("binding " + at + " took longer than " + BIND_WAIT_MS + "ms");
    }
    if (!future.isSuccess()) {
      future.channel().close();
      Throwable cause = future.cause();
      if (cause instanceof Exception e) {
        throw e;
      }
      throw new IOException("binding " + at + " failed: " + cause, cause);
    }
    return future.channel();
  }

  /**
   * Waits until {@code address} can be bound again, as {@code MockServer.close()} promises.
   *
   * <p>A NIO channel closed while registered with a selector keeps its socket open until the
   * selector next runs, a moment after Netty's close future completes; a bind in that moment
   * fails. So this probes the port with a socket that binds but never listens (TCP, with
   * SO_REUSEADDR like the listener) or binds plainly (UDP), polling for at most
   * {@link #RELEASE_WAIT_MS}.
   *
   * @return whether the port was released in time
   */
  public static boolean awaitReleased(InetSocketAddress address, boolean tcp) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RELEASE_WAIT_MS);
    while (true) {
      try {
        probe(address, tcp);
        return true;
      } catch (BindException e) {
        if (System.nanoTime() - deadline >= 0) {
          return false;
        }
        try {
          Thread.sleep(2);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return false;
        }
      } catch (IOException e) {
        // Not a port conflict; nothing more to wait for.
        return true;
      }
    }
  }

  private static void probe(InetSocketAddress address, boolean tcp) throws IOException {
    if (tcp) {
      try (Socket socket = new Socket()) {
        socket.setReuseAddress(true);
        socket.bind(address);
      }
    } else {
      try (DatagramSocket socket = new DatagramSocket(null)) {
        socket.setReuseAddress(false);
        socket.bind(address);
      }
    }
  }
}
