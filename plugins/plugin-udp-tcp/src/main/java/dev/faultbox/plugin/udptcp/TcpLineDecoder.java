package dev.faultbox.plugin.udptcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the one request line of a connection: bytes up to and including the first {@code \n}, or
 * at end of input whatever non-empty rest arrived. Emits a {@link TcpLine}; a line longer than
 * the limit (not counting its {@code \n}) becomes {@link TcpLine.TooLong} as soon as it is known.
 * Everything after the first line is discarded.
 */
final class TcpLineDecoder extends ByteToMessageDecoder {

  private final int maxLineBytes;
  private boolean done;
  /** Bytes of the pending line already searched for a newline, so each byte is searched once. */
  private int scanned;

  TcpLineDecoder(int maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (done) {
      in.skipBytes(in.readableBytes());
      return;
    }
    int readable = in.readableBytes();
    int start = in.readerIndex();
    // A newline at offset maxLineBytes still ends a line of maxLineBytes bytes.
    int scan = (int) Math.min((long) readable, (long) maxLineBytes + 1);
    int newline = in.indexOf(start + scanned, start + scan, (byte) '\n');
    scanned = scan;
    if (newline >= 0) {
      byte[] line = new byte[newline - start + 1];
      in.readBytes(line);
      emit(out, new TcpLine.Line(line), in);
    } else if (readable > maxLineBytes) {
      emit(out, new TcpLine.TooLong(maxLineBytes), in);
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    decode(ctx, in, out);
    if (!done) {
      if (in.isReadable()) {
        byte[] partial = new byte[in.readableBytes()];
        in.readBytes(partial);
        emit(out, new TcpLine.Line(partial), in);
      } else {
        done = true;
        out.add(TcpLine.EndOfInput.INSTANCE);
      }
    }
  }

  private void emit(List<Object> out, TcpLine line, ByteBuf in) {
    done = true;
    in.skipBytes(in.readableBytes());
    out.add(line);
  }
}
