package dev.faultbox.plugin.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Aggregates a request into one {@code FullHttpRequest}, up to {@code max_body_bytes}. A request
 * over the limit is not answered here: a {@link TooLarge} marker goes down the pipeline instead,
 * so the mock handler answers it in order and records it.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {

  /** Passed downstream in place of a request whose body is over the limit. */
  record TooLarge(int limit, HttpVersion version) {}

  BodyLimitAggregator(int maxBodyBytes) {
    super(maxBodyBytes);
  }

  @Override
  protected Object newContinueResponse(
      HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    if (HttpUtil.is100ContinueExpected(start) && isContentLengthInvalid(start, maxContentLength)) {
      // Not "100 Continue", and no 413 from here: handleOversizedMessage lets the handler answer.
      return null;
    }
    return super.newContinueResponse(start, maxContentLength, pipeline);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
      throws Exception {
    if (oversized instanceof HttpRequest) {
      ctx.fireChannelRead(new TooLarge(maxContentLength(), oversized.protocolVersion()));
    } else {
      super.handleOversizedMessage(ctx, oversized);
    }
  }
}
