package dev.faultbox.testkit;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * A logger that passes everything on to another and keeps what was logged at WARN or ERROR, so a
 * test sees a plugin's warnings whatever slf4j binding (or none) its module has.
 */
final class WatchedLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;

  private final transient Logger delegate;
  private final transient List<String> warnings = new ArrayList<>();

  WatchedLogger(Logger delegate) {
    this.delegate = delegate;
    this.name = delegate.getName();
  }

  List<String> warnings() {
    synchronized (warnings) {
      return List.copyOf(warnings);
    }
  }

  @Override
  public boolean isTraceEnabled() {
    return delegate.isTraceEnabled();
  }

  @Override
  public boolean isDebugEnabled() {
    return delegate.isDebugEnabled();
  }

  @Override
  public boolean isInfoEnabled() {
    return delegate.isInfoEnabled();
  }

  @Override
  public boolean isWarnEnabled() {
    return true;
  }

  @Override
  public boolean isErrorEnabled() {
    return true;
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
      Throwable throwable) {
    Object[] args = arguments == null ? new Object[0] : arguments;
    if (level == Level.WARN || level == Level.ERROR) {
      String message = MessageFormatter.basicArrayFormat(pattern, args);
      synchronized (warnings) {
        warnings.add(level + " " + name + ": " + message + (throwable == null ? "" : " " + throwable));
      }
    }
    delegate.atLevel(level).setCause(throwable).log(pattern, args);
  }
}
