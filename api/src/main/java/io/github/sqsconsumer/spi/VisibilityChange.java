package io.github.sqsconsumer.spi;

import io.github.sqsconsumer.Message;
import java.time.Duration;
import java.util.Objects;

/**
 * One entry of {@link QueuePort#changeVisibilityBatch}.
 *
 * @param message never null
 * @param visibility from now, between zero and 12 hours
 */
public record VisibilityChange(Message message, Duration visibility) {
  /** Checks the values. */
  public VisibilityChange {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(visibility, "visibility");
  }
}
