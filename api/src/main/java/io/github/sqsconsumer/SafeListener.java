package io.github.sqsconsumer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the user's listeners, each in the order they were added, and keeps whatever one throws from changing
 * what happens to a message or from keeping the next listener from hearing the event.
 *
 * <pre>
 * Failures:
 *   Every call catches Throwable, Errors included, and logs it at WARN (the message's id, never its body):
 *   listeners are called on pollers, worker threads, harvester and SDK threads and the heartbeat, in the
 *   middle of their bookkeeping, and nothing a listener throws may stop polling, keep a permit or a buffer
 *   slot, or skip the delete of a message that succeeded. That holds for a VirtualMachineError too:
 *   a StackOverflowError has unwound the listener's frames by the time it reaches this catch, so the
 *   thread is sound again; an OutOfMemoryError passed on would only end the thread that happened to call
 *   (a poller, the heartbeat) or vanish in a CompletableFuture on an SDK thread, and leave the consumer
 *   half-stopped rather than the process stopped. A process that must end on OutOfMemoryError does so at
 *   the throw, with -XX:+ExitOnOutOfMemoryError, before any catch. So it is swallowed like the rest,
 *   logged at ERROR rather than WARN, and the consumer goes on.
 *   The first failure is logged with its stack trace, later ones in one line (full at DEBUG): a listener
 *   that fails on every message must not flood the log from the hot path.
 * Cost:
 *   Immutable array, plain loops, no lambdas: with no listener an event allocates nothing.
 * </pre>
 *
 * <p>Every part of the core that calls listeners holds them through {@link #of}, so no call site can be
 * left unguarded. Thread-safe if the delegates are.
 */
final class SafeListener implements ConsumerListener {
  private static final Logger LOG = LoggerFactory.getLogger(SafeListener.class);

  private final ConsumerListener[] delegates;
  private final boolean silent; // no delegate but the no-op one: see isSilent()
  private final AtomicBoolean traced = new AtomicBoolean();

  private SafeListener(List<ConsumerListener> delegates) {
    this.delegates = delegates.toArray(ConsumerListener[]::new);
    boolean silent = true;
    for (ConsumerListener delegate : this.delegates) {
      silent &= delegate == ConsumerListener.NOOP;
    }
    this.silent = silent;
  }

  /** Returns the listeners guarded, called in list order. */
  static SafeListener of(List<ConsumerListener> listeners) {
    return new SafeListener(listeners);
  }

  /** Returns {@code listener} guarded: itself if it is guarded already. */
  static SafeListener of(ConsumerListener listener) {
    return listener instanceof SafeListener safe ? safe : new SafeListener(List.of(listener));
  }

  /**
   * {@return true if nobody listens: no listener but {@link ConsumerListener#NOOP}} A caller may then skip
   * what it measures only to tell a listener (a clock read on every message).
   */
  boolean isSilent() {
    return silent;
  }

  /** Logs what a listener threw; {@code subject} is a message (logged by its id) or null. */
  private void failed(String event, Object subject, Throwable e) {
    try {
      String about = subject != null ? " for " + subject : "";
      if (e instanceof VirtualMachineError) {
        LOG.error("listener failed in {}{}; ignored, the consumer goes on", event, about, e);
      } else if (traced.compareAndSet(false, true)) {
        LOG.warn("listener failed in {}{}; ignored (later failures are logged without a stack trace)", event,
            about, e);
      } else {
        LOG.warn("listener failed in {}{}; ignored: {}", event, about, e.toString());
        LOG.debug("listener failure in {}", event, e);
      }
    } catch (Throwable ignored) {
      // a logger that fails in turn changes nothing either
    }
  }

  @Override
  public void onReceived(Message message) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onReceived(message);
      } catch (Throwable e) {
        failed("onReceived", message, e);
      }
    }
  }

  @Override
  public void onSucceeded(Message message, Duration handlerTime) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onSucceeded(message, handlerTime);
      } catch (Throwable e) {
        failed("onSucceeded", message, e);
      }
    }
  }

  @Override
  public void onFailed(Message message, Throwable cause, Duration retryDelay) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onFailed(message, cause, retryDelay);
      } catch (Throwable e) {
        failed("onFailed", message, e);
      }
    }
  }

  @Override
  public void onDiscarded(Message message, Throwable cause) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onDiscarded(message, cause);
      } catch (Throwable e) {
        failed("onDiscarded", message, e);
      }
    }
  }

  @Override
  public void onAcknowledged(Message message) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onAcknowledged(message);
      } catch (Throwable e) {
        failed("onAcknowledged", message, e);
      }
    }
  }

  @Override
  public void onAcknowledged(Message message, Duration sinceReceived) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onAcknowledged(message, sinceReceived);
      } catch (Throwable e) {
        failed("onAcknowledged", message, e);
      }
    }
  }

  @Override
  public void onAcknowledgementFailed(Message message, Throwable cause) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onAcknowledgementFailed(message, cause);
      } catch (Throwable e) {
        failed("onAcknowledgementFailed", message, e);
      }
    }
  }

  @Override
  public void onReleased(Message message, Duration visibility) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onReleased(message, visibility);
      } catch (Throwable e) {
        failed("onReleased", message, e);
      }
    }
  }

  @Override
  public void onVisibilityExtended(Message message, Duration visibility) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onVisibilityExtended(message, visibility);
      } catch (Throwable e) {
        failed("onVisibilityExtended", message, e);
      }
    }
  }

  @Override
  public void onVisibilityExtensionFailed(Message message, Throwable cause, Duration retryDelay) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onVisibilityExtensionFailed(message, cause, retryDelay);
      } catch (Throwable e) {
        failed("onVisibilityExtensionFailed", message, e);
      }
    }
  }

  @Override
  public void onPollError(Throwable cause, Duration backoff) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onPollError(cause, backoff);
      } catch (Throwable e) {
        failed("onPollError", null, e);
      }
    }
  }

  @Override
  public void onConcurrencyLimitChanged(int previous, int current) {
    for (ConsumerListener delegate : delegates) {
      try {
        delegate.onConcurrencyLimitChanged(previous, current);
      } catch (Throwable e) {
        failed("onConcurrencyLimitChanged", null, e);
      }
    }
  }
}
