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

  Session(boolean authenticated) {
    this.authenticated = authenticated;
  }
}
