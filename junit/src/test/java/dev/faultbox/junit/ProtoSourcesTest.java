package dev.faultbox.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** grpc.server(protos = [...]) in a user's JVM: the gRPC plugin's bundled protoc compiles them. */
class ProtoSourcesTest {
  @TempDir Path dir;

  @Test
  void aTypedMockFromProtoSourcesAnswersTheSpecsTest() throws Throwable {
    Files.createDirectories(dir.resolve("proto/pong/v1"));
    Files.writeString(dir.resolve("proto/pong/v1/pong.proto"), """
        syntax = "proto3";
        package pong.v1;
        import "google/protobuf/timestamp.proto";
        service Pong {
          rpc Ping(PingRequest) returns (PingReply);
        }
        message PingRequest { string text = 1; }
        message PingReply {
          string text = 1;
          google.protobuf.Timestamp at = 2;
        }
        """);
    Path spec = dir.resolve("pong.star");
    Files.writeString(spec, """
        load("@faultbox/mocks/grpc.star", "grpc")
        pong = grpc.server(
            name = "pong",
            interface = interface("main", "grpc", %d),
            protos = ["./proto/**/*.proto"],
            import_paths = ["./proto"],
            services = {"/pong.v1.Pong/Ping": {"response": {"text": "pong", "at": "2024-05-01T10:00:00Z"}}},
        )
        def test_ping():
            r = pong.main.call(method = "/pong.v1.Pong/Ping", body = {"text": "ping"})
            assert_eq([r.code, r.json["text"], r.json["at"]], ["OK", "pong", "2024-05-01T10:00:00Z"])
        """.formatted(FreePorts.tcp()));
    var tests = FaultboxTests.of(spec.toString()).toList();
    assertThat(tests).hasSize(1);
    tests.get(0).getExecutable().execute();
  }
}
