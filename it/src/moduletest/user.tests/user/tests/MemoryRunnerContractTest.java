package user.tests;

import io.github.sqsconsumer.testkit.InMemoryQueue;
import io.github.sqsconsumer.testkit.InMemoryQueueUnderTest;
import io.github.sqsconsumer.testkit.RunnerContractTest;
import java.time.Duration;

/** The testkit's runner contract, extended in a user's module and run on the module path. */
final class MemoryRunnerContractTest extends RunnerContractTest {
  @Override
  protected QueueUnderTest newQueue(Duration visibilityTimeout) {
    return new InMemoryQueueUnderTest(InMemoryQueue.standard("contract", visibilityTimeout));
  }
}
