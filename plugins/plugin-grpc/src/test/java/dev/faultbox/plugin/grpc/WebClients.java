package dev.faultbox.plugin.grpc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** gRPC-Web and Connect requests as the specs describe them, by Java's HttpClient and by curl. */
final class WebClients {

  private WebClients() {}

  static byte[] envelope(int flags, byte[] message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(flags);
    out.write(message.length >>> 24);
    out.write(message.length >>> 16);
    out.write(message.length >>> 8);
    out.write(message.length);
    out.writeBytes(message);
    return out.toByteArray();
  }

  /** A gRPC-Web response body: its message frames and its trailers (the 0x80 frame), parsed. */
  record WebReply(int status, Map<String, List<String>> headers, List<byte[]> messages, Map<String, String> trailers) {
    String trailer(String name) {
      return trailers.get(name);
    }
  }

  static WebReply parse(int status, Map<String, List<String>> headers, byte[] body) {
    List<byte[]> messages = new ArrayList<>();
    Map<String, String> trailers = new LinkedHashMap<>();
    int at = 0;
    while (at + 5 <= body.length) {
      int flags = body[at] & 0xff;
      int length = ((body[at + 1] & 0xff) << 24) | ((body[at + 2] & 0xff) << 16) | ((body[at + 3] & 0xff) << 8)
          | (body[at + 4] & 0xff);
      byte[] data = java.util.Arrays.copyOfRange(body, at + 5, at + 5 + length);
      if ((flags & 0x80) != 0) {
        for (String line : new String(data, StandardCharsets.US_ASCII).split("\r\n")) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            trailers.put(line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), line.substring(colon + 1).trim());
          }
        }
      } else {
        messages.add(data);
      }
      at += 5 + length;
    }
    if (at != body.length) {
      throw new AssertionError("trailing bytes in a gRPC-Web body: " + (body.length - at));
    }
    return new WebReply(status, headers, messages, trailers);
  }

  static HttpClient http1() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
  }

  static HttpResponse<byte[]> post(HttpClient client, String url, String contentType, byte[] body,
      String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .header("content-type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static WebReply grpcWeb(HttpClient client, String url, byte[] message, String... headers)
      throws IOException, InterruptedException {
    HttpResponse<byte[]> response = post(client, url, "application/grpc-web+proto", envelope(0, message), headers);
    return parse(response.statusCode(), response.headers().map(), response.body());
  }

  /** What curl printed (headers with -i), and how it exited; bounded in time. */
  record Curl(int exit, String output) {}

  static boolean hasCurl() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "curl"))) {
        return true;
      }
    }
    return false;
  }

  static Curl curl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--noproxy", "*"));
    command.addAll(List.of(args));
    Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = curl.getInputStream().readAllBytes();
    if (!curl.waitFor(30, TimeUnit.SECONDS)) {
      curl.destroyForcibly();
      throw new AssertionError("curl did not finish");
    }
    return new Curl(curl.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
