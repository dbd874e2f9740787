package dev.faultbox.plugin.grpc;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What a block prints to System.out and System.err, from any thread, kept off the console. */
final class Console {

  interface Block {
    void run() throws Exception;
  }

  private Console() {}

  static synchronized String capture(Block block) throws Exception {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream into = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    System.setOut(into);
    System.setErr(into);
    try {
      block.run();
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
