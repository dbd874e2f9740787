package dev.faultbox.plugin.support;

import io.netty.channel.EventLoop;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where one request's steps run in a {@link MockExchange}: the thread its reply must be written
 * from, and how a fault's delay is waited there.
 */
public interface RequestLoop {

  /**
   * Runs {@code task} on this loop: at once when called there, else queued.
   *
   * @return false when the loop is gone and {@code task} will never run
   */
  boolean hop(Runnable task);

  /** Runs {@code task} on this loop after {@code delayNanos}; false when the loop is gone. */
  boolean schedule(Runnable task, long delayNanos);

  /** A channel's Netty event loop: a connection's replies are written there, in order. */
  static RequestLoop of(EventLoop loop) {
    return new RequestLoop() {
      @Override
      public boolean hop(Runnable task) {
        if (loop.inEventLoop()) {
          task.run();
          return true;
        }
        try {
          loop.execute(task);
          return true;
        } catch (RejectedExecutionException e) {
          return false;
        }
      }

      @Override
      public boolean schedule(Runnable task, long delayNanos) {
        try {
          loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
          return true;
        } catch (RejectedExecutionException e) {
          return false;
        }
      }
    };
  }

  /**
   * For a transport that may be written from any thread, one call at a time (grpc-java's server
   * calls): tasks run on the thread that hands them over, delays on the kernel's
   * {@code MockContext.scheduler()}, or at once when the run is ending and the scheduler with it.
   */
  static RequestLoop anyThread(ScheduledExecutorService scheduler) {
    return new RequestLoop() {
      @Override
      public boolean hop(Runnable task) {
        task.run();
        return true;
      }

      @Override
      public boolean schedule(Runnable task, long delayNanos) {
        try {
          scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
          task.run();
        }
        return true;
      }
    };
  }
}
