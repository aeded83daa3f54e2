package io.github.sqsconsumer;

import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the user's listeners, each in the order they were added, and keeps their exceptions from changing
 * what happens to a message or from keeping the next listener from hearing the event. Immutable. Plain
 * loops, no lambdas: with no listener an event allocates nothing.
 */
final class SafeListener implements ConsumerListener {
  private static final Logger LOG = LoggerFactory.getLogger(SafeListener.class);

  private final ConsumerListener[] delegates;

  SafeListener(List<ConsumerListener> delegates) {
    this.delegates = delegates.toArray(ConsumerListener[]::new);
  }

  private static void failed(String event, RuntimeException e) {
    LOG.warn("listener failed in {}: {}", event, e.toString());
  }

  @Override
  public void onReceived(Message message) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onReceived(message);
      } catch (RuntimeException e) {
        failed("onReceived", e);
      }
    }
  }

  @Override
  public void onSucceeded(Message message, Duration handlerTime) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onSucceeded(message, handlerTime);
      } catch (RuntimeException e) {
        failed("onSucceeded", e);
      }
    }
  }

  @Override
  public void onFailed(Message message, Throwable cause, Duration retryDelay) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onFailed(message, cause, retryDelay);
      } catch (RuntimeException e) {
        failed("onFailed", e);
      }
    }
  }

  @Override
  public void onDiscarded(Message message, Throwable cause) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onDiscarded(message, cause);
      } catch (RuntimeException e) {
        failed("onDiscarded", e);
      }
    }
  }

  @Override
  public void onAcknowledged(Message message) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onAcknowledged(message);
      } catch (RuntimeException e) {
        failed("onAcknowledged", e);
      }
    }
  }

  @Override
  public void onAcknowledged(Message message, Duration sinceReceived) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onAcknowledged(message, sinceReceived);
      } catch (RuntimeException e) {
        failed("onAcknowledged", e);
      }
    }
  }

  @Override
  public void onAcknowledgementFailed(Message message, Throwable cause) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onAcknowledgementFailed(message, cause);
      } catch (RuntimeException e) {
        failed("onAcknowledgementFailed", e);
      }
    }
  }

  @Override
  public void onReleased(Message message, Duration visibility) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onReleased(message, visibility);
      } catch (RuntimeException e) {
        failed("onReleased", e);
      }
    }
  }

  @Override
  public void onVisibilityExtended(Message message, Duration visibility) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onVisibilityExtended(message, visibility);
      } catch (RuntimeException e) {
        failed("onVisibilityExtended", e);
      }
    }
  }

  @Override
  public void onVisibilityExtensionFailed(Message message, Throwable cause, Duration retryDelay) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onVisibilityExtensionFailed(message, cause, retryDelay);
      } catch (RuntimeException e) {
        failed("onVisibilityExtensionFailed", e);
      }
    }
  }

  @Override
  public void onPollError(Throwable cause, Duration backoff) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onPollError(cause, backoff);
      } catch (RuntimeException e) {
        failed("onPollError", e);
      }
    }
  }
}
