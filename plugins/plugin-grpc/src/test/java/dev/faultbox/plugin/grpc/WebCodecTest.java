package dev.faultbox.plugin.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The framing of gRPC-Web and Connect answers, byte for byte. */
class WebCodecTest {

  private static Metadata withDetails() {
    ErrorInfo info = ErrorInfo.newBuilder().setReason("QUOTA").setDomain("geo.test").build();
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder().setCode(8).setMessage("slow down")
        .addDetails(Any.pack(info)).build();
    Metadata trailers = new Metadata();
    trailers.put(ConnectCodec.STATUS_DETAILS, status.toByteArray());
    trailers.put(Metadata.Key.of("x-trace", Metadata.ASCII_STRING_MARSHALLER), "t1");
    return trailers;
  }

  @Test
  void connectErrorsCarryTheStatusDetailsAsTypeAndUnpaddedBase64() {
    String value = Base64.getEncoder().withoutPadding().encodeToString(
        ErrorInfo.newBuilder().setReason("QUOTA").setDomain("geo.test").build().toByteArray());
    assertThat(new String(ConnectCodec.json(ConnectCodec.error(Status.Code.RESOURCE_EXHAUSTED, "slow down", withDetails())),
        StandardCharsets.UTF_8)).isEqualTo("{\"code\":\"resource_exhausted\",\"message\":\"slow down\","
            + "\"details\":[{\"type\":\"google.rpc.ErrorInfo\",\"value\":\"" + value + "\"}]}");
    assertThat(new String(ConnectCodec.endStream(Status.RESOURCE_EXHAUSTED.withDescription("slow down"), withDetails()),
        StandardCharsets.UTF_8)).startsWith("{\"error\":{\"code\":\"resource_exhausted\"")
        .endsWith("\"metadata\":{\"x-trace\":[\"t1\"]}}");
    assertThat(ConnectCodec.httpStatus(Status.Code.UNAVAILABLE)).isEqualTo(503);
    assertThat(ConnectCodec.codeName(Status.Code.CANCELLED)).isEqualTo("canceled");
  }

  @Test
  void grpcWebTrailersAreAFrameOfHeaderLines() {
    byte[] frame = GrpcWebCodec.trailerFrame(8, "100% busy\n", withDetails());
    assertThat(frame[0]).isEqualTo((byte) 0x80);
    String lines = new String(frame, 5, frame.length - 5, StandardCharsets.US_ASCII);
    assertThat(lines).startsWith("grpc-status:8\r\ngrpc-message:100%25 busy%0A\r\n")
        .contains("grpc-status-details-bin:", "x-trace:t1\r\n").endsWith("\r\n");
    int length = ((frame[1] & 0xff) << 24) | ((frame[2] & 0xff) << 16) | ((frame[3] & 0xff) << 8) | (frame[4] & 0xff);
    assertThat(length).isEqualTo(frame.length - 5);
  }

  @Test
  void textBodiesMayBeSeveralPaddedRuns() throws Exception {
    byte[] a = GrpcWebCodec.frame(0, new byte[] {1});
    byte[] b = GrpcWebCodec.frame(0, new byte[] {2, 3});
    String text = Base64.getEncoder().encodeToString(a) + Base64.getEncoder().encodeToString(b);
    assertThat(GrpcWebCodec.frames(GrpcWebCodec.unbase64(text.getBytes(StandardCharsets.US_ASCII)), 100))
        .extracting(f -> f.data().length).containsExactly(1, 2);
    assertThatThrownBy(() -> GrpcWebCodec.unbase64("!!!!".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(GrpcWebCodec.MalformedException.class);
    assertThatThrownBy(() -> GrpcWebCodec.frames(new byte[] {0, 0, 0, 1, 0}, 100))
        .isInstanceOf(GrpcWebCodec.TooLargeException.class).hasMessage("gRPC message exceeds maximum size 100: 256");
  }
}
