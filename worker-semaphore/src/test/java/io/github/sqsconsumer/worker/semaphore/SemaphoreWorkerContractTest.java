package io.github.sqsconsumer.worker.semaphore;

import io.github.sqsconsumer.spi.Worker;
import io.github.sqsconsumer.testkit.WorkerContractTest;
import io.github.sqsconsumer.testkit.WorkerTestContext;

final class SemaphoreWorkerContractTest extends WorkerContractTest {

  @Override
  protected Worker newWorker(int concurrency) {
    return new SemaphoreWorkerProvider().create(WorkerTestContext.of(concurrency));
  }
}
