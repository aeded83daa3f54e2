package io.github.sqsconsumer;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls the user's listener and keeps its exceptions from changing what happens to a message. */
final class SafeListener implements ConsumerListener {
  private static final Logger LOG = LoggerFactory.getLogger(SafeListener.class);

  private final ConsumerListener delegate;

  SafeListener(ConsumerListener delegate) {
    this.delegate = delegate;
  }

  private static void failed(String event, RuntimeException e) {
    LOG.warn("listener failed in {}: {}", event, e.toString());
  }

  @Override
  public void onReceived(Message message) {
    try {
      delegate.onReceived(message);
    } catch (RuntimeException e) {
      failed("onReceived", e);
    }
  }

  @Override
  public void onSucceeded(Message message, Duration handlerTime) {
    try {
      delegate.onSucceeded(message, handlerTime);
    } catch (RuntimeException e) {
      failed("onSucceeded", e);
    }
  }

  @Override
  public void onFailed(Message message, Throwable cause, Duration retryDelay) {
    try {
      delegate.onFailed(message, cause, retryDelay);
    } catch (RuntimeException e) {
      failed("onFailed", e);
    }
  }

  @Override
  public void onDiscarded(Message message, Throwable cause) {
    try {
      delegate.onDiscarded(message, cause);
    } catch (RuntimeException e) {
      failed("onDiscarded", e);
    }
  }

  @Override
  public void onAcknowledged(Message message) {
    try {
      delegate.onAcknowledged(message);
    } catch (RuntimeException e) {
      failed("onAcknowledged", e);
    }
  }

  @Override
  public void onAcknowledgementFailed(Message message, Throwable cause) {
    try {
      delegate.onAcknowledgementFailed(message, cause);
    } catch (RuntimeException e) {
      failed("onAcknowledgementFailed", e);
    }
  }

  @Override
  public void onReleased(Message message, Duration visibility) {
    try {
      delegate.onReleased(message, visibility);
    } catch (RuntimeException e) {
      failed("onReleased", e);
    }
  }

  @Override
  public void onVisibilityExtended(Message message, Duration visibility) {
    try {
      delegate.onVisibilityExtended(message, visibility);
    } catch (RuntimeException e) {
      failed("onVisibilityExtended", e);
    }
  }

  @Override
  public void onVisibilityExtensionFailed(Message message, Throwable cause, Duration retryDelay) {
    try {
      delegate.onVisibilityExtensionFailed(message, cause, retryDelay);
    } catch (RuntimeException e) {
      failed("onVisibilityExtensionFailed", e);
    }
  }

  @Override
  public void onPollError(Throwable cause, Duration backoff) {
    try {
      delegate.onPollError(cause, backoff);
    } catch (RuntimeException e) {
      failed("onPollError", e);
    }
  }
}
