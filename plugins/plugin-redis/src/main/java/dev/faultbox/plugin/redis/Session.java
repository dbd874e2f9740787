package dev.faultbox.plugin.redis;

import java.util.concurrent.atomic.AtomicLong;

/** One connection's state: its database, whether it authenticated, its name. Used on its loop only. */
final class Session {
  private static final AtomicLong IDS = new AtomicLong();

  final long id = IDS.incrementAndGet();
  int db;
  boolean authenticated;
  String name = "";
  /** Whether the client chose RESP3 with HELLO 3. */
  boolean resp3;
  /** Inside MULTI: the commands queued for EXEC, and whether one was refused (EXECABORT). */
  java.util.List<java.util.List<String>> queued;
  boolean dirty;
  /** WATCHed keys ("db:key") and what they held then; EXEC aborts if any changed. */
  final java.util.Map<String, Commands.Watched> watched = new java.util.HashMap<>();

  /** For CLIENT LIST/KILL: the peer and local addresses, when it connected and last ran a command, what. */
  volatile String addr = "?:0";
  volatile String laddr = "?:0";
  final long createdMs = System.currentTimeMillis();
  volatile long lastMs = createdMs;
  /** The last command's arguments (CLIENT LIST names it); null before the first. */
  volatile java.util.List<String> lastArgv;
  /** Closes the connection (CLIENT KILL from another connection); null until the channel is known. */
  volatile Runnable closer;
  /** Set by CLIENT KILL from another connection: the closing may lag, but no command of this one runs after the kill's reply. */
  volatile boolean killed;
  /** CLIENT REPLY: OFF silences every reply; SKIP the replies counted here (its own and the next). */
  boolean replyOff;
  int skipReplies;

  /** Whether the reply about to be sent is silenced by CLIENT REPLY OFF or SKIP. */
  boolean silenced() {
    if (skipReplies > 0) {
      skipReplies--;
      return true;
    }
    return replyOff;
  }

  /** The connection's event loop: blocking timeouts run there; null outside a connection. */
  java.util.concurrent.ScheduledExecutorService loop;
  /** Writes a push (a pub/sub message) on the connection's loop; callable from any thread. */
  java.util.function.Consumer<Reply> push;
  /** Subscribed channels and patterns, in subscription order. */
  final java.util.Set<String> channels = new java.util.LinkedHashSet<>();
  final java.util.Set<String> patterns = new java.util.LinkedHashSet<>();
  /** What to undo when the connection closes (a blocked wait, subscriptions), one per feature. */
  final java.util.Map<String, Runnable> closers = new java.util.LinkedHashMap<>();

  /** The connection closed: forgets its waiter and subscriptions. */
  void closed() {
    closers.values().forEach(Runnable::run);
    closers.clear();
  }

  Session(boolean authenticated) {
    this.authenticated = authenticated;
  }
}
