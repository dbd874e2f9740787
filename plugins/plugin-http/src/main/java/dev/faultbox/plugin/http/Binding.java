package dev.faultbox.plugin.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/** Waiting for a bind and for a release, bounded, with a bind failure passed on as the JDK raised it. */
final class Binding {

  static final long BIND_WAIT_MS = 10_000;
  static final long CLOSE_WAIT_MS = 5_000;
  /** How long {@link #awaitReleased} waits for the OS to let go of a closed port. */
  static final long RELEASE_WAIT_MS = 2_000;

  private Binding() {}

  /**
   * @throws java.net.BindException unwrapped, when the port is taken
   */
  static Channel bind(ChannelFuture future, InetSocketAddress at) throws Exception {
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
   * Waits until {@code address} can be bound again, as {@code MockServer.close()} promises: a NIO
   * listener closed while registered with a selector keeps its socket a moment after Netty's close
   * future completes. Probes with a socket that binds (SO_REUSEADDR, like the listener) but never
   * listens, polling for at most {@link #RELEASE_WAIT_MS}.
   *
   * @return whether the port was released in time
   */
  static boolean awaitReleased(InetSocketAddress address) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RELEASE_WAIT_MS);
    while (true) {
      try (Socket socket = new Socket()) {
        socket.setReuseAddress(true);
        socket.bind(address);
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
}
