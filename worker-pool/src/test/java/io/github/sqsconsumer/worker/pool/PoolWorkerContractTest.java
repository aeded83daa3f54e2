package io.github.sqsconsumer.worker.pool;

import io.github.sqsconsumer.spi.Worker;
import io.github.sqsconsumer.testkit.WorkerContractTest;
import io.github.sqsconsumer.testkit.WorkerTestContext;

/** The contract with the default settings: threads outlive the test, the waiting room is at least 16. */
final class PoolWorkerContractTest extends WorkerContractTest {

  @Override
  protected Worker newWorker(int concurrency) {
    return new PoolWorkerProvider().create(WorkerTestContext.of(concurrency));
  }
}
