package dev.faultbox.plugin.http;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;

/**
 * The one event-loop group every server of this plugin runs on, created on first use. Its threads
 * are daemons, so it never keeps a JVM alive; it lives as long as the plugin's class loader.
 */
final class EventLoops {

  /** A mock serves a handful of clients of one system under test; a few threads are plenty. */
  static final int THREADS = 2;

  private EventLoops() {}

  static EventLoopGroup group() {
    return Holder.GROUP;
  }

  /** Whether the calling thread is one of the group's loops, where waiting would deadlock. */
  static boolean inAnyLoop() {
    for (EventExecutor executor : group()) {
      if (executor.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  private static final class Holder {
    static final EventLoopGroup GROUP =
        new MultiThreadIoEventLoopGroup(
            THREADS, new DefaultThreadFactory("faultbox-http", true), NioIoHandler.newFactory());
  }
}
