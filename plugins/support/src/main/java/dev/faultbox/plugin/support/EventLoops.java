package dev.faultbox.plugin.support;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The one event-loop group a plugin's Netty mocks run on, whatever their protocol: made on the
 * threads the kernel lends ({@code MockContext.threads()}) when the first mock starts, and shut
 * down by the plugin's {@code close()} when the run ends, so none of its threads outlives the run.
 * A later run makes a new one.
 */
public final class EventLoops {

  /** As many loops as the 2-core machines Faultbox runs on have cores; mocks serve few clients. */
  public static final int THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());

  /** The thread name prefix when no factory was lent (a client used before any mock started). */
  public static final String THREAD_PREFIX = "faultbox-io";

  private static EventLoopGroup group; // guarded by EventLoops.class

  private EventLoops() {}

  /** The group, made on {@code threads} if there is none yet. */
  public static synchronized EventLoopGroup group(ThreadFactory threads) {
    if (group == null || group.isShuttingDown()) {
      group = new MultiThreadIoEventLoopGroup(THREADS, threads, NioIoHandler.newFactory());
    }
    return group;
  }

  /** The group, made on daemon threads of its own if no mock has started one. */
  public static EventLoopGroup group() {
    return group(new DefaultThreadFactory(THREAD_PREFIX, true));
  }

  /** Shuts the group down and waits briefly for its threads to end; the next use makes a new one. */
  public static void shutdown() {
    EventLoopGroup g;
    synchronized (EventLoops.class) {
      g = group;
      group = null;
    }
    if (g != null) {
      g.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
  }

  /** Whether the calling thread is one of the group's loops, where waiting would deadlock. */
  public static boolean inAnyLoop() {
    EventLoopGroup g;
    synchronized (EventLoops.class) {
      g = group;
    }
    if (g == null) {
      return false;
    }
    for (EventExecutor executor : g) {
      if (executor.inEventLoop()) {
        return true;
      }
    }
    return false;
  }
}
