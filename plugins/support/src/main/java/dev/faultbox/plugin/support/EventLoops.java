package dev.faultbox.plugin.support;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;

/**
 * The one event-loop group every Netty-based mock runs on, whatever its protocol, created on first
 * use. Its threads are daemons, so it never keeps a JVM alive.
 */
public final class EventLoops {

  /** As many loops as the 2-core machines Faultbox runs on have cores; mocks serve few clients. */
  public static final int THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());

  /** The loops' thread name prefix. */
  public static final String THREAD_PREFIX = "faultbox-io";

  private EventLoops() {}

  public static EventLoopGroup group() {
    return Holder.GROUP;
  }

  /** Whether the calling thread is one of the group's loops, where waiting would deadlock. */
  public static boolean inAnyLoop() {
    for (EventExecutor executor : group()) {
      if (executor.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  private static final class Holder {
    static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(
        THREADS, new DefaultThreadFactory(THREAD_PREFIX, true), NioIoHandler.newFactory());
  }
}
