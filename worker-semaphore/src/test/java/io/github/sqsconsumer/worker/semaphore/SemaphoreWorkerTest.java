package io.github.sqsconsumer.worker.semaphore;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.spi.Worker;
import io.github.sqsconsumer.testkit.WorkerAwait;
import io.github.sqsconsumer.testkit.WorkerTestContext;
import io.github.sqsconsumer.testkit.WorkerTestUnit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class SemaphoreWorkerTest {
  private static final Duration LONG = Duration.ofSeconds(10);

  private static Worker worker(String consumerName, int concurrency) {
    return new SemaphoreWorkerProvider().create(new WorkerTestContext(consumerName, concurrency, Map.of()));
  }

  @Test
  void submit_tenThousandSleepingUnits_runAtOnceOnFewPlatformThreads() throws Exception {
    int units = 10_000;
    Worker worker = worker("bulk", units);
    int platformBefore = platformThreads();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger max = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(units);

    long start = System.nanoTime();
    for (int i = 0; i < units; i++) {
      boolean accepted = worker.submit(new WorkerTestUnit(i, () -> {
        max.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          running.decrementAndGet();
          done.countDown();
        }
      }), Duration.ZERO);
      assertThat(accepted).as("unit %d accepted at once", i).isTrue();
    }
    int platformPeak = platformThreads();
    while (!done.await(5, TimeUnit.MILLISECONDS)) {
      platformPeak = Math.max(platformPeak, platformThreads());
      assertThat(System.nanoTime() - start).as("all units done").isLessThan(LONG.toNanos());
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    // one after another they would take 1000 s; at once, little more than 100 ms plus starting them
    assertThat(took).isLessThan(Duration.ofSeconds(8));
    assertThat(max.get()).isLessThanOrEqualTo(units).isGreaterThan(units / 10);
    assertThat(platformPeak - platformBefore).as("platform threads added (carriers)").isLessThan(64);
    assertThat(worker.shutdown(LONG)).isEmpty();
    assertThat(worker.threads()).isZero();
  }

  @Test
  void submit_runsOnNamedVirtualThreads() throws Exception {
    Worker worker = worker("orders", 2);
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    assertThat(worker.submit(new WorkerTestUnit(1, () -> thread.complete(Thread.currentThread())), LONG)).isTrue();

    Thread ran = thread.get(LONG.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(ran.isVirtual()).isTrue();
    assertThat(ran.getName()).matches("orders-semaphore-\\d+");
    worker.shutdown(LONG);
  }

  @Test
  void submit_eachUnitOnANewThread() throws Exception {
    Worker worker = worker("fresh", 1);
    CompletableFuture<Thread> first = new CompletableFuture<>();
    CompletableFuture<Thread> second = new CompletableFuture<>();
    assertThat(worker.submit(new WorkerTestUnit(1, () -> first.complete(Thread.currentThread())), LONG)).isTrue();
    assertThat(worker.submit(new WorkerTestUnit(2, () -> second.complete(Thread.currentThread())), LONG)).isTrue();

    assertThat(second.get(LONG.toMillis(), TimeUnit.MILLISECONDS))
        .isNotSameAs(first.get(LONG.toMillis(), TimeUnit.MILLISECONDS));
    worker.shutdown(LONG);
  }

  @Test
  void shutdown_wakesBlockedSubmitterWithRejection() throws Exception {
    // Regression guard: shutdown takes every permit; without giving them back, a submitter blocked for a
    // permit would wait out its whole timeout and return false instead of learning of the shutdown.
    Worker worker = worker("blocked", 1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    assertThat(worker.submit(new WorkerTestUnit(1, () -> {
      started.countDown();
      awaitQuietly(release);
    }), LONG)).isTrue();
    assertThat(started.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    CompletableFuture<Object> result = new CompletableFuture<>();
    Thread producer = Thread.ofPlatform().start(() -> {
      try {
        result.complete(worker.submit(new WorkerTestUnit(2, () -> {}), Duration.ofMinutes(1)));
      } catch (Throwable e) {
        result.complete(e);
      }
    });
    WorkerAwait.untilBlocked(producer, LONG);

    Thread closer = Thread.ofPlatform().start(() -> {
      try {
        worker.shutdown(LONG);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    WorkerAwait.untilBlocked(closer, LONG); // closed is set; shutdown waits for the running unit

    release.countDown();
    assertThat(result.get(LONG.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(RejectedExecutionException.class);
    closer.join(LONG);
  }

  /**
   * A shutdown that timed out releases permits it does not hold, to wake blocked submitters; those extra
   * permits must never start a unit while the stragglers still run: [running units <= concurrency].
   */
  @Test
  void shutdown_timedOut_extraPermitsStartNoUnit() throws Exception {
    int concurrency = 2;
    Worker worker = worker("extra", concurrency);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      assertThat(worker.submit(new WorkerTestUnit(i, () -> {
        started.countDown();
        awaitUninterruptibly(release); // a straggler: ignores the interrupt of the timed-out shutdown
      }), LONG)).isTrue();
    }
    assertThat(started.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(worker.shutdown(Duration.ofMillis(50))).isEmpty();

    AtomicInteger ran = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    List<Thread> submitters = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      submitters.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 1_000; i++) {
          try {
            worker.submit(new WorkerTestUnit(100 + i, ran::incrementAndGet), Duration.ofMillis(1));
          } catch (RejectedExecutionException expected) {
            rejected.incrementAndGet();
          } catch (InterruptedException e) {
            return;
          }
        }
      }));
    }
    for (Thread submitter : submitters) {
      assertThat(submitter.join(LONG)).isTrue();
    }
    assertThat(rejected.get()).as("every submit after shutdown rejected").isEqualTo(4 * 1_000);
    assertThat(ran.get()).isZero();
    assertThat(worker.active()).as("only the stragglers run").isEqualTo(concurrency);
    release.countDown();
    WorkerAwait.until(LONG, () -> worker.active() == 0, () -> "the stragglers to end");
  }

  /** Live platform threads: getAllStackTraces() leaves virtual threads out (and needs no java.management). */
  private static int platformThreads() {
    return Thread.getAllStackTraces().size();
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
