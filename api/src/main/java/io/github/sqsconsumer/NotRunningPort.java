package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The port of the context a harvester's {@code validate} gets at {@code build()}, before any runner
 * exists: every call fails, since validate must not use the port. Stateless and thread-safe.
 */
enum NotRunningPort implements QueuePort {
  INSTANCE;

  @Override
  public CompletableFuture<BatchReply> deleteBatch(List<Message> messages) {
    return notRunning();
  }

  @Override
  public CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes) {
    return notRunning();
  }

  @Override
  public CompletableFuture<Void> delete(Message message) {
    return notRunning();
  }

  @Override
  public CompletableFuture<Void> changeVisibility(Message message, Duration visibility) {
    return notRunning();
  }

  private static <T> CompletableFuture<T> notRunning() {
    return CompletableFuture.failedFuture(
        new IllegalStateException("the consumer is not running: a harvester's validate must not use the port"));
  }
}
