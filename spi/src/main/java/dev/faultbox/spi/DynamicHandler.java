package dev.faultbox.spi;

import java.util.concurrent.CompletionStage;

/**
 * Computes a response per request. The kernel implements it by running a spec function on its
 * own executor with a step budget, so a plugin never blocks its event loop on it and never sees
 * Starlark types. Plugins write the reply when the stage completes, keeping per-connection order.
 */
public interface DynamicHandler {

  /**
   * @return a stage completing with a {@link MockResponse.Static} or {@link MockResponse.GrpcStatus},
   *     or exceptionally with a {@link DynamicHandlerException} when the function failed
   */
  CompletionStage<MockResponse> handle(MockRequest request);
}
