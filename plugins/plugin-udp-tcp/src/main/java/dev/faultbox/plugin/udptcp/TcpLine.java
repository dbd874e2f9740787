package dev.faultbox.plugin.udptcp;

/** What {@link TcpLineDecoder} makes of a connection's input. */
sealed interface TcpLine {

  /** The request: a line including its {@code \n}, or a non-empty rest at end of input. */
  record Line(byte[] bytes) implements TcpLine {}

  /** The client sent more than {@code maxLineBytes} without a newline. */
  record TooLong(int maxLineBytes) implements TcpLine {}

  /** The client closed its side without sending anything. */
  enum EndOfInput implements TcpLine {
    INSTANCE
  }
}
