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
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

final class SemaphoreWorkerTest {
  private static final Duration LONG = Duration.ofSeconds(10);

  private static Worker worker(String consumerName, int concurrency) {
    return new SemaphoreWorkerProvider().create(new WorkerTestContext(consumerName, concurrency, Map.of()));
  }

  /**
   * Ten thousand units run at the same time on a handful of platform threads. Each unit counts a latch
   * down and then waits on a gate, so the latch reaching zero proves all of them run at once. (This test
   * used to let the units sleep 100 ms and assert only that more than 1,000 overlapped, beside an upper
   * bound that could not fail.)
   */
  @Test
  void submit_tenThousandBlockedUnits_allRunAtOnceOnFewPlatformThreads() throws Exception {
    int units = 10_000;
    int parallelism = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
        Runtime.getRuntime().availableProcessors());
    int platformBefore = platformThreads(); // the JVM's and the test framework's own
    // Carriers are at most `parallelism` here (the units block on a latch, which unmounts, and nothing pins
    // them); twice that leaves room for helpers the JVM starts lazily. One thread per unit would be 10,000.
    int platformBound = platformBefore + 2 * parallelism;
    Worker worker = worker("bulk", units);
    CountDownLatch started = new CountDownLatch(units);
    CountDownLatch gate = new CountDownLatch(1);
    AtomicIntegerArray outcomes = new AtomicIntegerArray(units);
    CountDownLatch done = new CountDownLatch(units);

    int platformPeak = platformBefore;
    try {
      for (int i = 0; i < units; i++) {
        int id = i;
        boolean accepted = worker.submit(new WorkerTestUnit(id, () -> {
          started.countDown();
          awaitQuietly(gate);
          outcomes.incrementAndGet(id);
          done.countDown();
        }), Duration.ZERO);
        assertThat(accepted).as("unit %d accepted at once", id).isTrue();
        if (id % 1_000 == 0) {
          platformPeak = Math.max(platformPeak, platformThreads());
        }
      }
      assertThat(started.await(60, TimeUnit.SECONDS))
          .as("all %d units running at once; %d started", units, units - started.getCount()).isTrue();
      platformPeak = Math.max(platformPeak, platformThreads());
      assertThat(worker.active()).isEqualTo(units);
      assertThat(platformPeak)
          .as("platform threads with %d units running (%d before, carrier parallelism %d)",
              units, platformBefore, parallelism)
          .isLessThanOrEqualTo(platformBound);
    } finally {
      gate.countDown();
    }

    assertThat(done.await(60, TimeUnit.SECONDS)).as("all units finish once the gate opens").isTrue();
    List<Integer> notOnce = new ArrayList<>();
    for (int i = 0; i < units; i++) {
      if (outcomes.get(i) != 1) {
        notOnce.add(i);
      }
    }
    assertThat(notOnce).as("units whose outcome was not recorded exactly once").isEmpty();
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
    assertThat(ran.getName()).isEqualTo("orders-semaphore");
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

  /**
   * With every permit taken a unit waits in the room instead of its submitter: the unit that ends starts
   * it on a new thread with its permit, so a saturated worker does not park and wake the submitter, with a
   * timer armed for its timeout, once per unit.
   */
  @Test
  void submit_everyPermitTaken_unitWaitsAndTheEndingUnitStartsIt() throws Exception {
    Worker worker = worker("handoff", 1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Thread> first = new CompletableFuture<>();
    CompletableFuture<Thread> second = new CompletableFuture<>();
    assertThat(worker.submit(new WorkerTestUnit(1, () -> {
      first.complete(Thread.currentThread());
      awaitQuietly(release);
    }), LONG)).isTrue();
    first.get(LONG.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(worker.submit(new WorkerTestUnit(2, () -> second.complete(Thread.currentThread())), Duration.ZERO))
        .as("accepted at once, to wait").isTrue();
    assertThat(worker.waiting()).isEqualTo(1);
    assertThat(worker.active()).isEqualTo(1);
    assertThat(second).as("never beyond the concurrency").isNotDone();

    release.countDown();
    assertThat(second.get(LONG.toMillis(), TimeUnit.MILLISECONDS)).isNotSameAs(first.join());
    WorkerAwait.until(LONG, () -> worker.active() == 0 && worker.waiting() == 0, () -> "both units to end");
    assertThat(worker.shutdown(LONG)).isEmpty();
  }

  @Test
  void shutdown_wakesBlockedSubmitterWithRejection() throws Exception {
    // Regression guard: a submitter blocked while the worker is full must learn of the shutdown at once
    // instead of waiting out its whole timeout and returning false. (Full: the one permit taken and the
    // waiting room, as large as the concurrency, holding one unit.)
    Worker worker = worker("blocked", 1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    assertThat(worker.submit(new WorkerTestUnit(1, () -> {
      started.countDown();
      awaitQuietly(release);
    }), LONG)).isTrue();
    assertThat(started.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(worker.submit(new WorkerTestUnit(2, () -> {}), Duration.ZERO)).as("waits in the room").isTrue();
    CompletableFuture<Object> result = new CompletableFuture<>();
    Thread producer = Thread.ofPlatform().start(() -> {
      try {
        result.complete(worker.submit(new WorkerTestUnit(3, () -> {}), Duration.ofMinutes(1)));
      } catch (Throwable e) {
        result.complete(e);
      }
    });
    WorkerAwait.untilBlocked(producer, LONG);

    Thread closer = Thread.ofPlatform().start(() -> worker.shutdown(LONG));
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

  /**
   * With no thread to be had (a JVM out of memory), a unit taken from the waiting room runs on the thread
   * that took it. One ending unit with a full room of 10,000 behind it runs them all, one after the other,
   * without overflowing its stack; each runs once and the permits all come back.
   */
  @Test
  void start_executorRefuses_waitingUnitsRunOnTheEndingThreadWithoutDeepening() throws Exception {
    int concurrency = 10_000;
    AtomicBoolean refuse = new AtomicBoolean();
    ThreadFactory virtual = Thread.ofVirtual().factory();
    Worker worker = new SemaphoreWorker(concurrency, task -> {
      if (refuse.get()) {
        throw new OutOfMemoryError("unable to create a thread (test)");
      }
      return virtual.newThread(task);
    });
    CountDownLatch releaseFirst = new CountDownLatch(1);
    CountDownLatch releaseRest = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      CountDownLatch gate = i == 0 ? releaseFirst : releaseRest;
      assertThat(worker.submit(new WorkerTestUnit(i, () -> {
        started.countDown();
        awaitQuietly(gate);
      }), LONG)).isTrue();
    }
    assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
    int waiting = concurrency;
    AtomicIntegerArray ran = new AtomicIntegerArray(waiting);
    CountDownLatch done = new CountDownLatch(waiting);
    for (int i = 0; i < waiting; i++) {
      int id = i;
      assertThat(worker.submit(new WorkerTestUnit(concurrency + id, () -> {
        ran.incrementAndGet(id);
        done.countDown();
      }), Duration.ZERO)).as("unit %d waits in the room", id).isTrue();
    }
    assertThat(worker.waiting()).isEqualTo(waiting);

    refuse.set(true);
    releaseFirst.countDown(); // its thread takes every waiting unit, and no thread starts for any of them
    try {
      assertThat(done.await(60, TimeUnit.SECONDS))
          .as("all waiting units run; %d left", done.getCount()).isTrue();
      for (int i = 0; i < waiting; i++) {
        assertThat(ran.get(i)).as("unit %d runs once", i).isEqualTo(1);
      }
      assertThat(worker.waiting()).isZero();
    } finally {
      releaseRest.countDown();
    }
    WorkerAwait.until(LONG, () -> worker.active() == 0, () -> "every unit to end");

    refuse.set(false); // every permit came back: as many units as the concurrency start at once again
    CountDownLatch again = new CountDownLatch(concurrency);
    CountDownLatch releaseAgain = new CountDownLatch(1);
    try {
      for (int i = 0; i < concurrency; i++) {
        assertThat(worker.submit(new WorkerTestUnit(i, () -> {
          again.countDown();
          awaitQuietly(releaseAgain);
        }), Duration.ZERO)).isTrue();
      }
      assertThat(worker.waiting()).as("none waits for a permit").isZero();
      assertThat(again.await(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      releaseAgain.countDown();
    }
    WorkerAwait.until(LONG, () -> worker.active() == 0, () -> "every unit to end");
    assertThat(worker.shutdown(LONG)).isEmpty();
  }

  /** Live platform threads (getAllStackTraces() lists no virtual thread; filtered all the same). */
  private static int platformThreads() {
    int count = 0;
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (!thread.isVirtual()) {
        count++;
      }
    }
    return count;
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
