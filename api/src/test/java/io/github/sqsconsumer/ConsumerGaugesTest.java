package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The worker gauges on Consumer: the worker's own while running, zero before start and after close. */
@Timeout(30)
final class ConsumerGaugesTest {
  private final TestParts.ListRunner runner = new TestParts.ListRunner();
  private final TestParts.ThreadWorker[] worker = new TestParts.ThreadWorker[1];
  private final CountDownLatch proceed = new CountDownLatch(1);
  private Consumer consumer;

  @AfterEach
  void close() {
    proceed.countDown();
    if (consumer != null) {
      consumer.close();
    }
  }

  private static void assertAllZero(Consumer consumer) {
    assertThat(consumer.workerActive()).as("workerActive").isZero();
    assertThat(consumer.workerWaiting()).as("workerWaiting").isZero();
    assertThat(consumer.workerThreads()).as("workerThreads").isZero();
  }

  @Test
  void gauges_beforeStartWhileRunningAndAfterClose() throws Exception {
    for (int i = 0; i < 10; i++) {
      runner.queue.add(TestParts.message(i));
    }
    consumer = DefaultConsumer.create(Consumer.builder().queue("orders").concurrency(3).prefetch(0)
            .waitTime(Duration.ofSeconds(1)).handler(m -> proceed.await(20, TimeUnit.SECONDS)).validate(),
        TestParts.runner(runner), TestParts.worker(worker), TestParts.harvester());
    assertAllZero(consumer);

    consumer.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (consumer.workerActive() < 3) {
      assertThat(System.nanoTime()).as("3 handlers running in time").isLessThan(deadline);
      Thread.sleep(1);
    }
    assertThat(consumer.workerActive()).isEqualTo(worker[0].active()).isEqualTo(3);
    assertThat(consumer.workerThreads()).isEqualTo(3);
    assertThat(consumer.workerWaiting()).isZero();

    proceed.countDown();
    consumer.close();
    assertAllZero(consumer);
  }

  @Test
  void gauges_closedUnstarted_zero() {
    consumer = DefaultConsumer.create(Consumer.builder().queue("orders").handler(m -> {}).validate(),
        TestParts.runner(runner), TestParts.worker(worker), TestParts.harvester());
    consumer.close();
    assertAllZero(consumer);
  }
}
