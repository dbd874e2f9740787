package dev.faultbox.plugin.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.kernel.tls.TlsAuthority;
import dev.faultbox.spi.EventSink;
import dev.faultbox.spi.FaultGate;
import dev.faultbox.spi.MockContext;
import dev.faultbox.spi.MockDefinition;
import dev.faultbox.spi.MockServer;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.TlsIdentity;
import dev.faultbox.testkit.RecordingContext;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** Shared helpers: TLS contexts, curl, raw HTTP/1.1 and HTTP/2 over sockets, captured logs. */
final class TestSupport {

  private TestSupport() {}

  /** One mock CA for the whole test JVM, as the kernel keeps one per run. */
  static final TlsAuthority CA = TlsAuthority.create();

  static TlsIdentity identity() {
    return CA.issue("auth");
  }

  /** One plugin for the test JVM, as a run has one. */
  static final HttpProtocol PLUGIN = new HttpProtocol();

  /** The plugin's factory for {@code protocol}. */
  static ProtocolFactory factory(String protocol) {
    return PLUGIN.protocols().stream().filter(f -> f.name().equals(protocol)).findFirst().orElseThrow();
  }

  /** Prepares and starts, as the kernel does at load and then per test. */
  static MockServer start(MockDefinition definition, MockContext context) throws Exception {
    ProtocolFactory factory = factory(definition.iface().protocol());
    return factory.start(factory.prepare(definition), context);
  }

  // ---- events ----------------------------------------------------------------------------

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  // ---- curl ------------------------------------------------------------------------------

  record Run(int exit, String out, String err) {}

  static boolean curlHasHttp2() {
    try {
      Run run = run(List.of("curl", "--version"), 10);
      return run.exit() == 0 && run.out().contains("HTTP2");
    } catch (Exception e) {
      return false;
    }
  }

  static Run curl(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("curl");
    command.add("-sS");
    command.add("--max-time");
    command.add("10");
    command.addAll(List.of(args));
    return run(command, 20);
  }

  static Run run(List<String> command, long timeoutSeconds) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("http_proxy");
    builder.environment().remove("https_proxy");
    builder.environment().remove("HTTP_PROXY");
    builder.environment().remove("HTTPS_PROXY");
    builder.environment().remove("ALL_PROXY");
    builder.environment().remove("all_proxy");
    Process process = builder.start();
    process.getOutputStream().close();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread outReader = copier(process.getInputStream(), out);
    Thread errReader = copier(process.getErrorStream(), err);
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("timed out: " + command);
    }
    outReader.join(5000);
    errReader.join(5000);
    return new Run(
        process.exitValue(),
        out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private static Thread copier(InputStream in, ByteArrayOutputStream out) {
    Thread t =
        new Thread(
            () -> {
              try {
                in.transferTo(out);
              } catch (IOException ignored) {
                // process ended
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }

  // ---- raw HTTP/1.1 ----------------------------------------------------------------------

  record RawResponse(String statusLine, int status, Map<String, String> headers, byte[] body) {
    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  static Socket connect(InetSocketAddress address) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", address.getPort()), 5000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /**
   * Reads one response; the body by Content-Length (none for HEAD when {@code head}), else to EOF.
   */
  static RawResponse read(InputStream in, boolean head) throws IOException {
    String statusLine = line(in);
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    String line;
    while ((line = line(in)) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      headers.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    byte[] body;
    String length = headers.get("content-length");
    if (head || status == 204 || status == 304 || status / 100 == 1) {
      body = new byte[0];
    } else if (length != null) {
      body = in.readNBytes(Integer.parseInt(length));
    } else {
      body = in.readAllBytes();
    }
    return new RawResponse(statusLine, status, headers, body);
  }

  static RawResponse read(InputStream in) throws IOException {
    return read(in, false);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        byte[] bytes = out.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
      }
      out.write(b);
    }
    return out.size() == 0 ? null : out.toString(StandardCharsets.ISO_8859_1);
  }

  /** One request on a fresh connection. */
  static RawResponse exchange(InetSocketAddress address, String request) throws IOException {
    try (Socket socket = connect(address)) {
      send(socket, request);
      return read(socket.getInputStream(), request.startsWith("HEAD "));
    }
  }

  static RawResponse get(InetSocketAddress address, String path) throws IOException {
    return exchange(address, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  }

  /** Whether the server closed the connection: reads to EOF, within the socket timeout. */
  static boolean closedByPeer(Socket socket) {
    try {
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      while (in.read(buffer) >= 0) {
        // discard
      }
      return true;
    } catch (IOException e) {
      return e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("reset");
    }
  }

  static void assertServing(InetSocketAddress address) throws IOException {
    RawResponse response = get(address, "/still-serving-probe");
    assertThat(response.status()).isIn(200, 404);
  }

  // ---- raw HTTP/2 ------------------------------------------------------------------------

  static final int H2_HEADERS = 1;
  static final int H2_RST_STREAM = 3;
  static final int H2_SETTINGS = 4;

  /** One HTTP/2 frame as it came off the wire. */
  record Frame(int type, int flags, int stream, byte[] payload) {
    @Override
    public String toString() {
      return "Frame[type=" + type + ", flags=" + flags + ", stream=" + stream + ", length=" + payload.length + "]";
    }
  }

  /** Sends the client connection preface and an empty SETTINGS frame. */
  static void h2Preface(OutputStream out) throws IOException {
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.write(h2Frame(H2_SETTINGS, 0, 0, new byte[0]));
    out.flush();
  }

  /** A GET of {@code path} as one HEADERS frame ending the stream: HPACK literals, no Huffman. */
  static byte[] h2Get(int stream, String scheme, String path) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.write(0x82); // :method GET, static table entry 2
    block.write("https".equals(scheme) ? 0x87 : 0x86); // :scheme, entries 7 and 6
    hpackLiteral(block, 4, path); // :path
    hpackLiteral(block, 1, "localhost"); // :authority
    return h2Frame(H2_HEADERS, 0x1 | 0x4, stream, block.toByteArray()); // END_STREAM | END_HEADERS
  }

  /** A literal header field without indexing, its name from the static table (index below 15). */
  private static void hpackLiteral(ByteArrayOutputStream block, int nameIndex, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    block.write(nameIndex);
    block.write(bytes.length); // below 127: a one-byte length
    block.writeBytes(bytes);
  }

  static byte[] h2Frame(int type, int flags, int stream, byte[] payload) {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(payload.length >>> 16);
    frame.write(payload.length >>> 8);
    frame.write(payload.length);
    frame.write(type);
    frame.write(flags);
    frame.write(stream >>> 24);
    frame.write(stream >>> 16);
    frame.write(stream >>> 8);
    frame.write(stream);
    frame.writeBytes(payload);
    return frame.toByteArray();
  }

  /**
   * Reads frames until the server ends the connection (EOF or a TCP reset) and returns them; fails
   * when the connection is still open at the socket timeout.
   */
  static List<Frame> h2FramesToEnd(Socket socket) throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    List<Frame> frames = new ArrayList<>();
    try {
      while (true) {
        int length = in.readUnsignedByte() << 16 | in.readUnsignedShort();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        frames.add(new Frame(type, flags, stream, payload));
      }
    } catch (EOFException e) {
      return frames;
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the connection is still open after " + frames, e);
    } catch (SocketException e) {
      if (e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("reset")) {
        return frames;
      }
      throw e;
    }
  }

  // ---- logs ------------------------------------------------------------------------------

  /** A logged line: its level, the formatted message and the throwable, if any. */
  record LogLine(Level level, String message, Throwable thrown) {}

  /** A logger that keeps what it is given, so a test can check it instead of printing it. */
  static final class CapturedLog extends LegacyAbstractLogger {
    final List<LogLine> lines = new CopyOnWriteArrayList<>();

    CapturedLog() {
      this.name = "captured";
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable thrown) {
      lines.add(new LogLine(level, MessageFormatter.basicArrayFormat(pattern, arguments), thrown));
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }
  }

  /** {@code context} with its logger replaced by {@code log}; events and fault gate stay its own. */
  static MockContext logTo(RecordingContext context, Logger log) {
    return new MockContext() {
      @Override
      public EventSink events() {
        return context.events();
      }

      @Override
      public FaultGate faults() {
        return context.faults();
      }

      @Override
      public InetAddress bindAddress() {
        return context.bindAddress();
      }

      @Override
      public Logger logger() {
        return log;
      }

      @Override
      public ThreadFactory threads() {
        return context.threads();
      }

      @Override
      public ScheduledExecutorService scheduler() {
        return context.scheduler();
      }

      @Override
      public Optional<TlsIdentity> tls() {
        return context.tls();
      }
    };
  }
}
