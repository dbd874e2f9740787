package dev.faultbox.plugin.http;

import dev.faultbox.plugin.support.EventLoops;
import dev.faultbox.plugin.support.StarFiles;
import dev.faultbox.spi.MockProtocol;
import dev.faultbox.spi.ProtocolFactory;
import dev.faultbox.spi.SpiVersion;
import dev.faultbox.spi.StarlarkLibrary;
import java.util.List;

/**
 * The {@code http} plugin: HTTP/1.1 mocks ({@code interface("main", "http", 8090)}) and HTTP/2
 * mocks ({@code interface("main", "http2", 8091)}, h2c without TLS), both over TLS with ALPN when
 * declared {@code tls = True}, plus the {@code get post put patch delete head} steps and the
 * {@code @faultbox/recipes/http.star} and {@code http2.star} fault recipes.
 *
 * <p>Routes are {@code "METHOD /path"} keys with {@code *}, {@code **}, {@code {name}} and
 * {@code prefix-*} segments, most specific first (see {@link RouteTable}). Every server of the
 * plugin shares one small event-loop group (plugin support's).
 */
public final class HttpProtocol implements MockProtocol {

  static final String HTTP = "http";
  static final String HTTP2 = "http2";

  /** Where the plugin's Starlark files live, relative to this class. */

  /** The steps' clients, owned here so {@link #close()} can let them go. */
  private final StepClients clients = new StepClients();
  private List<ProtocolFactory> protocols; // made when a spec first uses HTTP
  private final List<StarlarkLibrary> libraries =
      List.of(StarFiles.library(HttpProtocol.class, "recipes/http.star"),
          StarFiles.library(HttpProtocol.class, "recipes/http2.star"));

  @Override
  public int spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public String id() {
    return "http";
  }

  @Override
  public List<String> protocolNames() {
    return List.of(HTTP, HTTP2);
  }

  @Override
  public synchronized List<ProtocolFactory> protocols() {
    if (protocols == null) {
      protocols = List.of(new HttpFactory(HTTP, clients), new HttpFactory(HTTP2, clients));
    }
    return protocols;
  }

  @Override
  public List<StarlarkLibrary> libraries() {
    return libraries;
  }

  /** Drops the steps' clients; the event loops belong to plugin support, which stops them. */
  @Override
  public void close() {
    clients.close();
    EventLoops.shutdown(); // the loops the mocks ran on: no thread of the plugin outlives the run
  }
}
