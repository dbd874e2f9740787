package dev.faultbox.spi;

import java.util.concurrent.CompletionStage;

/**
 * Computes a response per request. The kernel implements it by running a spec function on its
 * own executor with a step budget, so a plugin never blocks its event loop on it and never sees
 * Starlark types. Plugins write the reply when the stage completes, keeping per-connection order.
 */
public interface DynamicHandler {

  /**
   * Never blocks: the function runs on a kernel script thread, which also completes the stage, so
   * a plugin hops back to its own event loop before it writes.
   *
   * @return a stage completing with any {@link MockResponse} but {@link MockResponse.Dynamic}, or
   *     exceptionally with a {@link DynamicHandlerException} when the function failed
   */
  CompletionStage<MockResponse> handle(MockRequest request);
}
