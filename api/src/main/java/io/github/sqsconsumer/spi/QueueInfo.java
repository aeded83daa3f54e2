package io.github.sqsconsumer.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * What the core needs to know of a queue.
 *
 * @param url the queue's address, for logs; never null
 * @param fifo whether messages carry groups that must be handled in order
 * @param visibilityTimeout the queue's default visibility timeout, positive; the heartbeat extends by it
 */
public record QueueInfo(String url, boolean fifo, Duration visibilityTimeout) {
  /** Checks the values. */
  public QueueInfo {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(visibilityTimeout, "visibilityTimeout");
    if (visibilityTimeout.isNegative() || visibilityTimeout.isZero()) {
      throw new IllegalArgumentException("visibilityTimeout must be positive but was " + visibilityTimeout);
    }
  }
}
