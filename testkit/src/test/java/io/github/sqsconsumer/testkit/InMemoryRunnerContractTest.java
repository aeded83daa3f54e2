package io.github.sqsconsumer.testkit;

import java.time.Duration;

/** The runner contract for the {@code memory} runner, through {@link InMemoryQueueUnderTest}. */
final class InMemoryRunnerContractTest extends RunnerContractTest {
  @Override
  protected QueueUnderTest newQueue(Duration visibilityTimeout) {
    return new InMemoryQueueUnderTest(InMemoryQueue.standard("contract", visibilityTimeout));
  }
}
