package dev.faultbox.plugin.grpc;

import static dev.faultbox.testkit.MockDefinitionBuilder.mock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.Struct;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.faultbox.plugin.grpc.test.flags.FlagsGrpc;
import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.MockServer;
import dev.faultbox.testkit.RecordingContext;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rich error details: a google.rpc.Status in grpc-status-details-bin, as grpc-java's StatusProto reads it. */
class ErrorDetailsTest {

  private static final Map<String, Object> BAD_REQUEST = Map.of(
      "@type", "type.googleapis.com/google.rpc.BadRequest",
      "field_violations", List.of(Map.of("field", "name", "description", "required")));
  private static final Map<String, Object> ERROR_INFO = Map.of(
      "@type", "type.googleapis.com/google.rpc.ErrorInfo", "reason", "QUOTA", "domain", "flags.example",
      "metadata", Map.of("limit", "10"));

  private final TestSupport.Resources resources = new TestSupport.Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  @Test
  void detailsReachTheClientAsAGoogleRpcStatus() throws Exception {
    RecordingContext context = new RecordingContext();
    MockServer server = resources.server(mock("flags", "grpc", 0)
        .route("/flags.v1.Flags/Get", new MockResponse.Status("INVALID_ARGUMENT", "bad flag", List.of(BAD_REQUEST, ERROR_INFO)))
        .route("/flags.v1.Flags/List", new MockResponse.Dynamic(request -> CompletableFuture.completedFuture(
            new MockResponse.Status("14", "later", List.of(Map.of("@type", "google.rpc.RetryInfo", "retry_delay", "1.500s"))))))
        .build(), context);
    var stub = FlagsGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS);

    Throwable failed = catchThrowable(() -> stub.get(Struct.getDefaultInstance()));
    com.google.rpc.Status status = StatusProto.fromThrowable(failed);
    assertThat(status).isNotNull();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(status.getMessage()).isEqualTo("bad flag");
    assertThat(status.getDetailsCount()).isEqualTo(2);
    BadRequest bad = status.getDetails(0).unpack(BadRequest.class);
    assertThat(bad.getFieldViolations(0).getField()).isEqualTo("name");
    assertThat(bad.getFieldViolations(0).getDescription()).isEqualTo("required");
    ErrorInfo info = status.getDetails(1).unpack(ErrorInfo.class);
    assertThat(info.getReason()).isEqualTo("QUOTA");
    assertThat(info.getMetadataMap()).containsEntry("limit", "10");
    assertThat(context.awaitEvents(1, java.time.Duration.ofSeconds(10)).get(0).fields()).containsEntry("code", "INVALID_ARGUMENT")
        .containsEntry("details", List.of("type.googleapis.com/google.rpc.BadRequest", "type.googleapis.com/google.rpc.ErrorInfo"));

    // A dynamic handler's status carries details too; an @type without the prefix gets it.
    com.google.rpc.Status retry = StatusProto.fromThrowable(catchThrowable(() -> stub.list(Struct.getDefaultInstance())));
    assertThat(retry.getDetails(0).getTypeUrl()).isEqualTo("type.googleapis.com/google.rpc.RetryInfo");
    assertThat(retry.getDetails(0).unpack(RetryInfo.class).getRetryDelay().getNanos()).isEqualTo(500_000_000);
  }

  @Test
  void aDynamicHandlersBadDetailIsInternalWithAnEvent() throws Exception {
    RecordingContext context = new RecordingContext();
    MockServer server = resources.server(mock("flags", "grpc", 0)
        .route("/flags.v1.Flags/Get", new MockResponse.Dynamic(request -> CompletableFuture.completedFuture(
            new MockResponse.Status("14", "x", List.of(Map.of("@type", "type.googleapis.com/google.rpc.Nope"))))))
        .build(), context);
    var stub = FlagsGrpc.newBlockingStub(resources.channel(server)).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> stub.get(Struct.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getStatus().getDescription()).startsWith(
              "dynamic handler answered details[0]: unknown @type \"type.googleapis.com/google.rpc.Nope\"");
        });
    assertThat(context.awaitEvents(1, java.time.Duration.ofSeconds(10)).get(0).fields()).containsKey("error");
  }

  @Test
  void badDetailsAreLoadErrors() {
    assertThat(error(Map.of("reason", "x"))).isEqualTo("route \"/flags.v1.Flags/Get\": details[0] needs an \"@type\", "
        + "such as \"type.googleapis.com/google.rpc.BadRequest\"");
    assertThat(error(Map.of("@type", "type.googleapis.com/google.rpc.BadReqest"))).startsWith(
        "route \"/flags.v1.Flags/Get\": details[0]: unknown @type \"type.googleapis.com/google.rpc.BadReqest\" "
            + "(did you mean \"type.googleapis.com/google.rpc.BadRequest\"?); a detail is one of google.rpc.BadRequest, ");
    assertThat(error(Map.of("@type", "type.googleapis.com/google.rpc.ErrorInfo", "reasn", "x")))
        .startsWith("route \"/flags.v1.Flags/Get\": details[0]: ").contains("reasn");
    assertThat(error("OK", BAD_REQUEST))
        .isEqualTo("route \"/flags.v1.Flags/Get\": details come with an error code; an OK status carries none");
  }

  private static String error(Map<String, Object> detail) {
    return error("3", detail);
  }

  private static String error(String code, Map<String, Object> detail) {
    Throwable t = catchThrowable(() -> new GrpcProtocol().prepare(mock("flags", "grpc", 1)
        .route("/flags.v1.Flags/Get", new MockResponse.Status(code, "x", List.of(detail))).build()));
    assertThat(t).isInstanceOf(InvalidMockException.class);
    return t.getMessage();
  }
}
