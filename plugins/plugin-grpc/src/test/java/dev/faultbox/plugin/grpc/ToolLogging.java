package dev.faultbox.plugin.grpc;

import dev.faultbox.kernel.Logging;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Logs as the tool does (auto-registered for every test class): java.util.logging into slf4j,
 * transport chatter at debug, slf4j-simple at warn (simplelogger.properties). A test that makes
 * the mock print more than that fails {@link MalformedRequestTest}'s console check, not by luck.
 */
public final class ToolLogging implements BeforeAllCallback {
  @Override
  public void beforeAll(ExtensionContext context) {
    Logging.install();
  }
}
