package dev.faultbox.kernel.spec;

import dev.faultbox.spi.MockResponse;
import net.starlark.java.annot.StarlarkBuiltin;
import net.starlark.java.eval.Printer;
import net.starlark.java.eval.StarlarkValue;

/** A response built by {@code json_response()}, {@code bytes_response()}, {@code dynamic()}… */
@StarlarkBuiltin(name = "mock_response")
public record ResponseValue(MockResponse response) implements StarlarkValue {
  @Override
  public boolean isImmutable() {
    return true;
  }

  @Override
  public void repr(Printer p) {
    if (response instanceof MockResponse.Static s) {
      p.append("mock_response(status = ").append(Integer.toString(s.status()))
          .append(", body_size = ").append(Integer.toString(s.body().length)).append(")");
    } else if (response instanceof MockResponse.Structured m) {
      p.append("structured_response(body = ").repr(Values.toStarlark(m.body(), null)).append(")");
    } else if (response instanceof MockResponse.Status st) {
      p.append("status_response(code = ").repr(st.code()).append(", message = ").repr(st.message());
      if (!st.details().isEmpty()) {
        p.append(", details = ").repr(Values.toStarlark(st.details(), null));
      }
      p.append(")");
    } else if (response instanceof MockResponse.Composite c) {
      p.append("composite_response(kind = ").repr(c.kind()).append(")");
    } else {
      p.append("dynamic(<function>)");
    }
  }
}
