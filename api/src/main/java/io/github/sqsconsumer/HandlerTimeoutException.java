package io.github.sqsconsumer;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * The failure of a unit whose handler did not return within the {@linkplain Consumer.Builder#handlerTimeout
 * handler timeout}: what the {@link RetryPolicy} and {@link ConsumerListener#onFailed} get for each of its
 * messages. A {@link TimeoutException}, so metrics count it as a timeout. Its stack trace is the handler
 * thread's at the moment the timeout ran out: where the handler was stuck.
 *
 * <p>Immutable; created by the consumer, not by users.
 */
public final class HandlerTimeoutException extends TimeoutException {
  private static final long serialVersionUID = 1L;

  /** The handler timeout that ran out; serialized with the exception. */
  private final Duration timeout;

  HandlerTimeoutException(Duration timeout) {
    super("the handler did not return within the handler timeout of " + timeout);
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** {@return the handler timeout that ran out; never null} */
  public Duration timeout() {
    return timeout;
  }
}
