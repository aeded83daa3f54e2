package io.github.sqsconsumer.worker.pool;

import io.github.sqsconsumer.spi.Worker;
import io.github.sqsconsumer.testkit.WorkerContractTest;
import io.github.sqsconsumer.testkit.WorkerTestContext;
import java.util.Map;

/**
 * The contract with settings that make every race likely: threads stop after 1 ms idle, so hand-offs to
 * idle threads keep racing their idle timeouts, and a waiting room of one unit is full almost always.
 */
final class PoolWorkerChurningContractTest extends WorkerContractTest {

  @Override
  protected Worker newWorker(int concurrency) {
    return new PoolWorkerProvider().create(new WorkerTestContext("churn", concurrency,
        Map.of("pool.idleTimeout", "1ms", "pool.queueCapacity", "1")));
  }
}
