package dev.faultbox.kernel.spec;

import dev.faultbox.spi.DynamicHandler;
import dev.faultbox.spi.DynamicHandlerException;
import dev.faultbox.spi.MockRequest;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.SourceLocation;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import net.starlark.java.eval.EvalException;
import net.starlark.java.eval.Mutability;
import net.starlark.java.eval.Starlark;
import net.starlark.java.eval.StarlarkCallable;
import net.starlark.java.eval.StarlarkThread;

/**
 * Runs a {@code dynamic(fn)} function per request on the session's script executor, never on a
 * plugin's event loop, with a step budget so an endless handler fails instead of hanging the mock.
 */
final class StarlarkHandler implements DynamicHandler {
  private final SpecSession session;
  private final StarlarkCallable fn;
  private final SourceLocation declaredAt;

  StarlarkHandler(SpecSession session, StarlarkCallable fn, SourceLocation declaredAt) {
    this.session = session;
    this.fn = fn;
    this.declaredAt = declaredAt;
  }

  @Override
  public CompletionStage<MockResponse> handle(MockRequest request) {
    return CompletableFuture.supplyAsync(() -> run(request), session.scripts());
  }

  private MockResponse run(MockRequest request) {
    try (Mutability mu = Mutability.create("dynamic")) {
      StarlarkThread thread = session.newThread(mu);
      thread.setMaxExecutionSteps(session.handlerStepBudget());
      Object result = Starlark.call(thread, fn, List.of(requestValue(request, mu)), Map.of());
      if (result instanceof ResponseValue r && !(r.response() instanceof MockResponse.Dynamic)) {
        return r.response();
      }
      throw new DynamicHandlerException(declaredAt + ": dynamic handler must return a response such as "
          + "json_response(...) or bytes_response(...), got " + Starlark.type(result));
    } catch (EvalException e) {
      String reason = SpecSession.isOverBudget(e)
          ? "dynamic handler exceeded its budget of " + session.handlerStepBudget() + " steps (an endless loop?)"
          : session.describe(e).reason();
      String where = session.describe(e).location();
      throw new DynamicHandlerException((where == null ? declaredAt.toString() : where) + ": " + reason);
    } catch (Starlark.UncheckedEvalException e) {
      throw new DynamicHandlerException(session.describe(e).getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DynamicHandlerException(declaredAt + ": dynamic handler interrupted");
    } catch (RuntimeException e) {
      if (e instanceof DynamicHandlerException) {
        throw e;
      }
      throw new DynamicHandlerException(declaredAt + ": dynamic handler failed: " + e);
    }
  }

  /**
   * {method, path, headers, query, body, raw} and, when the body is JSON, json: {@code body} is
   * the body as UTF-8 text, {@code raw} its exact bytes.
   */
  private static Object requestValue(MockRequest r, Mutability mu) {
    Map<String, Object> req = new LinkedHashMap<>();
    req.put("method", r.method());
    req.put("path", r.path());
    req.put("headers", r.headers());
    req.put("query", r.query());
    req.put("body", new String(r.body(), StandardCharsets.UTF_8));
    req.put("raw", BytesValue.of(r.body()));
    Object json = Values.looksLikeJson(r.body()) ? Values.parseJsonOrNull(r.body()) : null;
    if (json != null) {
      req.put("json", json);
    }
    req.putAll(r.extras());
    return Values.toStarlark(req, mu);
  }
}
