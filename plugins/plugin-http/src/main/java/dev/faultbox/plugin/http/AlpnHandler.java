package dev.faultbox.plugin.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.Map;

/**
 * The end of a TLS connection's pipeline until ALPN settles: then it puts the HTTP/2 or HTTP/1.1
 * chain in its place. Until then it is the handler that records an idle connection.
 */
final class AlpnHandler extends ApplicationProtocolNegotiationHandler {

  private final HttpAnswers answers;
  private final HttpSettings settings;

  AlpnHandler(HttpAnswers answers, HttpSettings settings) {
    super(ApplicationProtocolNames.HTTP_1_1);
    this.answers = answers;
    this.settings = settings;
  }

  @Override
  protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      Pipelines.addHttp2(ctx.pipeline(), answers, settings);
    } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
      Pipelines.addHttp1(ctx.pipeline(), answers, settings);
    } else {
      throw new IllegalStateException("unexpected ALPN protocol " + protocol);
    }
  }

  @Override
  protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
    answers.logDebug("TLS handshake failed", cause);
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      answers.record(
          HttpAnswers.OP_IDLE_TIMEOUT,
          Map.of("error", "no TLS handshake within " + settings.idleTimeoutMs() + "ms", "proto", "TLS"));
      ctx.close();
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }
}
