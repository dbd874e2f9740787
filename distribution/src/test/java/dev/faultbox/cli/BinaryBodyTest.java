package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.kernel.plugin.PluginRegistry;
import dev.faultbox.kernel.runtime.ServiceRuntime;
import dev.faultbox.kernel.spec.SpecSession;
import dev.faultbox.kernel.spec.Stdlib;
import dev.faultbox.testkit.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dynamic handler reads a request's exact bytes as req["raw"] and sends bytes back unchanged. */
class BinaryBodyTest {
  @TempDir Path dir;

  @Test
  void curlUploadsEchoByteForByte() throws Exception {
    int port = FreePorts.tcp();
    Path spec = dir.resolve("echo.star");
    Files.writeString(spec, """
        def describe(req):
            return text_response(body = "%%d %%s" %% (len(req["raw"]), req["raw"][:4].hex()))
        echo = mock_service("echo", interface("main", "http", %d), routes = {
            "POST /echo": dynamic(lambda req: bytes_response(status = 200, data = req["raw"])),
            "POST /describe": dynamic(describe),
        })
        """.formatted(port));
    byte[] small = {(byte) 0xff, 0x00, (byte) 0x80, 'a', 'b', 'c'};
    byte[] big = new byte[10 * 1024 * 1024];
    new Random(7).nextBytes(big);
    ClassLoader loader = getClass().getClassLoader();
    PluginRegistry plugins = PluginRegistry.load(loader);
    try (SpecSession session = SpecSession.load(spec, "echo.star", plugins, Stdlib.load(loader, plugins.libraries()),
        SpecSession.Options.defaults(System.out))) {
      try (ServiceRuntime mocks = new ServiceRuntime(session, session.freshEvents())) {
        mocks.start();
        String base = "http://127.0.0.1:" + port;
        assertThat(curl(base + "/echo", small)).isEqualTo(small);
        assertThat(new String(curl(base + "/describe", small), StandardCharsets.UTF_8)).isEqualTo("6 ff008061");
        assertThat(curl(base + "/echo", big)).isEqualTo(big);
      }
    }
  }

  private byte[] curl(String url, byte[] body) throws Exception {
    Path upload = Files.write(dir.resolve("upload.bin"), body);
    Process p = new ProcessBuilder("curl", "-sS", "--fail", "--data-binary", "@" + upload,
        "-H", "Content-Type: application/octet-stream", url)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    return out;
  }
}
