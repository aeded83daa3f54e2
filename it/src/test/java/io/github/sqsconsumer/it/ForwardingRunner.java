package io.github.sqsconsumer.it;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.QueueInfo;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.RunnerContext;
import io.github.sqsconsumer.spi.RunnerProvider;
import io.github.sqsconsumer.spi.VisibilityChange;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/** A runner that passes every call to another; a test overrides the calls it watches or delays. */
class ForwardingRunner implements Runner {
  private final Runner inner;

  ForwardingRunner(Runner inner) {
    this.inner = inner;
  }

  /** A provider, named {@code name}, of the in-memory queue's runner passed through {@code wrap}. */
  static RunnerProvider around(String name, InMemoryQueue queue, UnaryOperator<Runner> wrap) {
    return new RunnerProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Runner create(RunnerContext context) {
        return wrap.apply(queue.runner().create(context));
      }
    };
  }

  @Override
  public QueueInfo open() {
    return inner.open();
  }

  @Override
  public CompletableFuture<List<Message>> receive(int maxMessages, Duration waitTime, Duration visibility) {
    return inner.receive(maxMessages, waitTime, visibility);
  }

  @Override
  public CompletableFuture<BatchReply> deleteBatch(List<Message> messages) {
    return inner.deleteBatch(messages);
  }

  @Override
  public CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes) {
    return inner.changeVisibilityBatch(changes);
  }

  @Override
  public CompletableFuture<Void> delete(Message message) {
    return inner.delete(message);
  }

  @Override
  public CompletableFuture<Void> changeVisibility(Message message, Duration visibility) {
    return inner.changeVisibility(message, visibility);
  }

  @Override
  public void close() {
    inner.close();
  }
}
