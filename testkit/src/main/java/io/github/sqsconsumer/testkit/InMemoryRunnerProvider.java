package io.github.sqsconsumer.testkit;

import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.RunnerContext;
import io.github.sqsconsumer.spi.RunnerProvider;

/**
 * Provides the {@code memory} runner over one {@link InMemoryQueue}; made by {@link InMemoryQueue#runner()}.
 * Not a service: a consumer uses it only when handed it with {@code Consumer.Builder.runner(RunnerProvider)},
 * so having testkit on the path changes no other consumer's choice of runner. Thread-safe and stateless.
 */
final class InMemoryRunnerProvider implements RunnerProvider {
  private final InMemoryQueue queue;

  InMemoryRunnerProvider(InMemoryQueue queue) {
    this.queue = queue;
  }

  /** Returns {@code memory}. */
  @Override
  public String name() {
    return "memory";
  }

  /** Nothing to check: the queue is bound to this provider. */
  @Override
  public void validate(RunnerContext context) {}

  /** Creates a runner over the queue for the consumer's queue name (which must be the queue's). */
  @Override
  public Runner create(RunnerContext context) {
    return new InMemoryRunner(queue, context.queue(), context.receiveAttributes());
  }

  @Override
  public String toString() {
    return "InMemoryRunnerProvider[" + queue.name() + "]";
  }
}
