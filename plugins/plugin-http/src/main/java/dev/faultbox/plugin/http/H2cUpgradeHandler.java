package dev.faultbox.plugin.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;

import io.netty.handler.codec.http.HttpUtil;
import java.net.URI;

/**
 * Netty's {@code Upgrade: h2c} handler, refusing as {@link Http1Handler} does: a request with a
 * bad Host is not upgraded, so it goes on to be refused there; an upgrade request whose body is
 * over {@code max_body_bytes} goes on as a {@link BodyLimitAggregator.TooLarge} marker, so the 413
 * is answered and recorded there too, not by Netty on its own.
 */
final class H2cUpgradeHandler extends HttpServerUpgradeHandler {

  H2cUpgradeHandler(SourceCodec codec, UpgradeCodecFactory upgradeCodecs, int maxBodyBytes) {
    super(codec, upgradeCodecs, maxBodyBytes);
  }

  @Override
  protected boolean shouldHandleUpgradeRequest(HttpRequest request) {
    return Http1Handler.hostProblem(request) == null && carriesOverHttp2(request);
  }

  /**
   * Whether Netty can make the request stream 1's HTTP/2 headers, which takes a target that parses
   * as a URI. It tries after the 101 has gone out, and a target that did not parse failed there:
   * the request was neither answered nor recorded (found by the fuzzer). Such a request stays
   * HTTP/1.1 and is answered there.
   */
  private static boolean carriesOverHttp2(HttpRequest request) {
    try {
      URI.create(request.uri());
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  // This handler aggregates the upgrade request itself: the two overrides of BodyLimitAggregator.

  @Override
  protected Object newContinueResponse(
      HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    if (HttpUtil.is100ContinueExpected(start) && isContentLengthInvalid(start, maxContentLength)) {
      return null;
    }
    return super.newContinueResponse(start, maxContentLength, pipeline);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    ctx.fireChannelRead(new BodyLimitAggregator.TooLarge(maxContentLength(), oversized.protocolVersion()));
  }
}
