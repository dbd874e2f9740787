package dev.faultbox.plugin.http;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;

/**
 * Netty's {@code Upgrade: h2c} handler, refusing as {@link Http1Handler} does: a request with a
 * bad Host is not upgraded, so it goes on to be refused there.
 */
final class H2cUpgradeHandler extends HttpServerUpgradeHandler {

  H2cUpgradeHandler(SourceCodec codec, UpgradeCodecFactory upgradeCodecs, int maxBodyBytes) {
    super(codec, upgradeCodecs, maxBodyBytes);
  }

  @Override
  protected boolean shouldHandleUpgradeRequest(HttpRequest request) {
    return Http1Handler.hostProblem(request) == null;
  }
}
