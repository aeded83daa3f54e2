package io.github.sqsconsumer.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.spi.WorkUnit;
import io.github.sqsconsumer.spi.Worker;
import io.github.sqsconsumer.testkit.WorkerAwait;
import io.github.sqsconsumer.testkit.WorkerTestContext;
import io.github.sqsconsumer.testkit.WorkerTestUnit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class PoolWorkerTest {
  private static final Duration LONG = Duration.ofSeconds(10);

  private final List<Worker> workers = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  private Worker worker(String name, int concurrency, Map<String, String> settings) {
    Worker worker = new PoolWorkerProvider().create(new WorkerTestContext(name, concurrency, settings));
    workers.add(worker);
    return worker;
  }

  @AfterEach
  void shutDownWorkers() throws InterruptedException {
    release.countDown();
    for (Worker worker : workers) {
      worker.shutdown(Duration.ofSeconds(5));
    }
  }

  @Test
  void threads_growToConcurrencyShrinkWhenIdleAndGrowAgain() throws Exception {
    Worker worker = worker("elastic", 4, Map.of("pool.idleTimeout", "50ms"));
    assertThat(worker.threads()).as("no thread before the first unit").isZero();

    CountDownLatch firstRelease = new CountDownLatch(1);
    runBlocked(worker, 4, firstRelease);
    assertThat(worker.threads()).isEqualTo(4);
    firstRelease.countDown();
    WorkerAwait.until(LONG, () -> worker.threads() == 0,
        () -> "threads to stop after the idle timeout; still " + worker.threads());

    runBlocked(worker, 4, release);
    assertThat(worker.threads()).as("grown again").isEqualTo(4);
  }

  @Test
  void threads_shrinkNoFurtherThanMinWorkers() throws Exception {
    Duration idleTimeout = Duration.ofMillis(20);
    Worker worker = worker("kept", 4, Map.of("pool.idleTimeout", "20ms", "pool.minWorkers", "2"));
    CountDownLatch firstRelease = new CountDownLatch(1);
    runBlocked(worker, 4, firstRelease);
    firstRelease.countDown();
    WorkerAwait.until(LONG, () -> worker.threads() == 2, () -> "threads to shrink to 2; " + worker.threads());

    // An absence can only be watched for a while: ten idle timeouts, long enough for any extra exit.
    long until = System.nanoTime() + idleTimeout.multipliedBy(10).toNanos();
    while (System.nanoTime() < until) {
      assertThat(worker.threads()).as("threads kept").isEqualTo(2);
      Thread.sleep(1);
    }
    AtomicInteger ran = new AtomicInteger();
    assertThat(worker.submit(new WorkerTestUnit(1, ran::incrementAndGet), LONG)).isTrue();
    WorkerAwait.until(LONG, () -> ran.get() == 1, () -> "a kept thread to run the unit");
    assertThat(worker.threads()).as("a kept thread ran it").isEqualTo(2);

    assertThat(worker.shutdown(LONG)).isEmpty();
    assertThat(worker.threads()).isZero();
  }

  /**
   * With a minimum, the pool shrinks to it when idle and grows from the kept (idle) threads back to the
   * concurrency when a burst comes, again and again: the kept threads are woken and pass the wake-up on to
   * new threads.
   */
  @Test
  void threads_shrinkToMinWorkersAndGrowAgainRepeatedly() throws Exception {
    int concurrency = 4;
    Worker worker = worker("regrow", concurrency, Map.of("pool.idleTimeout", "10ms", "pool.minWorkers", "2"));
    for (int round = 0; round < 5; round++) {
      CountDownLatch gate = new CountDownLatch(1);
      try {
        runBlocked(worker, concurrency, gate); // asserts that all of them run at once
        assertThat(worker.threads()).as("round %d: grown to the concurrency", round).isEqualTo(concurrency);
        assertThat(liveThreadsNamed("regrow-pool-")).as("round %d: live pool threads", round)
            .isEqualTo(concurrency);
      } finally {
        gate.countDown();
      }
      int r = round;
      WorkerAwait.until(LONG, () -> worker.active() == 0 && worker.threads() == 2,
          () -> "round " + r + ": threads to shrink to 2 but " + worker.threads() + " with "
              + worker.active() + " active");
    }
    assertThat(worker.shutdown(LONG)).isEmpty();
    assertThat(worker.threads()).isZero();
  }

  @Test
  void submit_waitingRoomFull_returnsFalseAndLosesNothing() throws Exception {
    Worker worker = worker("full", 2, Map.of("pool.queueCapacity", "4"));
    AtomicInteger finished = new AtomicInteger();
    Runnable body = () -> {
      awaitQuietly(release);
      finished.incrementAndGet();
    };
    runBlocked(worker, 2, release, finished);
    int waiting = fill(worker, body);
    assertThat(waiting).as("units accepted while both threads are busy").isEqualTo(4);
    assertThat(worker.waiting()).isEqualTo(4);
    assertThat(worker.active()).isEqualTo(2);
    assertThat(worker.submit(new WorkerTestUnit(-1, () -> {}), Duration.ZERO)).isFalse();

    release.countDown();
    WorkerAwait.until(LONG, () -> finished.get() == 6, () -> finished.get() + " of 6 units finished");
    assertThat(worker.waiting()).isZero();
  }

  @Test
  void queueCapacity_isRoundedUpToAPowerOfTwo() throws Exception {
    Worker worker = worker("rounded", 1, Map.of("pool.queueCapacity", "5"));
    runBlocked(worker, 1, release, new AtomicInteger());
    assertThat(fill(worker, () -> {})).as("waiting room of 5 rounded up").isEqualTo(8);
  }

  @Test
  void submit_manyMoreUnitsThanCapacity_wrapAroundKeepsFifoOrder() throws Exception {
    Worker worker = worker("fifo", 1, Map.of("pool.queueCapacity", "4"));
    int units = 1_000;
    Queue<Integer> order = new ConcurrentLinkedQueue<>();
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(units);
    CountDownLatch firstStarted = new CountDownLatch(1);
    for (int i = 0; i < units; i++) {
      int id = i;
      boolean accepted = worker.submit(new WorkerTestUnit(id, () -> {
        if (id == 0) {
          firstStarted.countDown();
          awaitQuietly(gate); // hold the only thread until the waiting room is full
        }
        order.add(id);
        done.countDown();
      }), i < 5 ? Duration.ZERO : LONG);
      assertThat(accepted).as("unit %d", id).isTrue();
      if (i == 0) {
        assertThat(firstStarted.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      } else if (i == 4) {
        assertThat(worker.waiting()).as("waiting room full").isEqualTo(4);
        assertThat(worker.submit(new WorkerTestUnit(-1, () -> {}), Duration.ZERO)).as("full").isFalse();
        gate.countDown();
      }
    }
    assertThat(done.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < units; i++) {
      expected.add(i);
    }
    assertThat(new ArrayList<>(order)).isEqualTo(expected);
  }

  @Test
  void shutdown_returnsWaitingUnitsInOrder() throws Exception {
    Worker worker = worker("drain", 1, Map.of("pool.queueCapacity", "8"));
    runBlocked(worker, 1, release, new AtomicInteger());
    assertThat(fill(worker, () -> {})).isEqualTo(8);

    List<WorkUnit> returned = worker.shutdown(Duration.ZERO); // the running unit is interrupted
    assertThat(returned).extracting(unit -> ((WorkerTestUnit) unit).id())
        .containsExactly(100, 101, 102, 103, 104, 105, 106, 107);
    assertThat(worker.waiting()).isZero();
  }

  @Test
  void shutdown_idleThreadsExitPromptly() throws Exception {
    Worker worker = worker("prompt", 4, Map.of()); // idle timeout 60 s: the threads would otherwise stay
    CountDownLatch firstRelease = new CountDownLatch(1);
    runBlocked(worker, 4, firstRelease);
    firstRelease.countDown();
    WorkerAwait.until(LONG, () -> worker.active() == 0, () -> "units to finish");
    assertThat(worker.threads()).isEqualTo(4);

    long start = System.nanoTime();
    assertThat(worker.shutdown(Duration.ofSeconds(30))).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(worker.threads()).isZero();
    WorkerAwait.until(LONG, () -> liveThreadsNamed("prompt-pool-") == 0, () -> "pool threads to end");
  }

  @Test
  void submit_throwingUnit_keepsItsThread() throws Exception {
    Worker worker = worker("sturdy", 1, Map.of());
    CompletableFuture<Thread> before = new CompletableFuture<>();
    CompletableFuture<Thread> after = new CompletableFuture<>();
    assertThat(worker.submit(new WorkerTestUnit(1, () -> before.complete(Thread.currentThread())), LONG)).isTrue();
    assertThat(worker.submit(new WorkerTestUnit(2, () -> {
      throw new IllegalStateException("thrown on purpose");
    }), LONG)).isTrue();
    assertThat(worker.submit(new WorkerTestUnit(3, () -> after.complete(Thread.currentThread())), LONG)).isTrue();

    assertThat(after.get(LONG.toMillis(), TimeUnit.MILLISECONDS))
        .isSameAs(before.get(LONG.toMillis(), TimeUnit.MILLISECONDS));
    assertThat(worker.threads()).isEqualTo(1);
  }

  @Test
  void submit_unitLeftInterrupted_nextUnitStartsClean() throws Exception {
    Worker worker = worker("clean", 1, Map.of());
    CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
    assertThat(worker.submit(new WorkerTestUnit(1, () -> Thread.currentThread().interrupt()), LONG)).isTrue();
    assertThat(worker.submit(new WorkerTestUnit(2,
        () -> interrupted.complete(Thread.currentThread().isInterrupted())), LONG)).isTrue();

    assertThat(interrupted.get(LONG.toMillis(), TimeUnit.MILLISECONDS)).isFalse();
  }

  @Test
  void threads_areNamedNonDaemonPlatformThreads() throws Exception {
    Worker worker = worker("orders", 2, Map.of());
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    assertThat(worker.submit(new WorkerTestUnit(1, () -> thread.complete(Thread.currentThread())), LONG)).isTrue();

    Thread ran = thread.get(LONG.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(ran.isVirtual()).isFalse();
    assertThat(ran.isDaemon()).isFalse();
    assertThat(ran.getName()).matches("orders-pool-\\d+");
  }

  /**
   * Regression guard for the Go original, whose worker count was never incremented, so the maximum was
   * ignored: with threads stopping after 1 ms idle and starting again, the count must still hold. The
   * count itself is what the pool's guarded code bounds, so sampling threads() alone could not catch a
   * count that lies; the live threads named with the pool's prefix and the units seen running at once,
   * counted inside the units, are measured beside it.
   */
  @Test
  void threads_neverExceedConcurrencyWhileThreadsChurn() throws Exception {
    int concurrency = 3;
    Worker worker = worker("count", concurrency, Map.of("pool.idleTimeout", "1ms", "pool.queueCapacity", "2"));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger maxThreads = new AtomicInteger();
    AtomicInteger maxLive = new AtomicInteger();
    AtomicInteger samples = new AtomicInteger();
    Thread sampler = Thread.ofPlatform().start(() -> {
      while (!stop.get()) {
        maxThreads.accumulateAndGet(worker.threads(), Math::max);
        maxLive.accumulateAndGet(liveThreadsNamed("count-pool-"), Math::max);
        samples.incrementAndGet();
        Thread.onSpinWait();
      }
    });
    UnitsAtOnce atOnce = new UnitsAtOnce();
    int finishedTarget = runRandomLoad(worker, 4, 1_500, new Random(42), atOnce);
    stop.set(true);
    sampler.join();

    assertThat(finishedTarget).isEqualTo(4 * 1_500);
    assertThat(samples.get()).as("samples taken").isPositive();
    assertThat(maxThreads.get()).as("threads()").isLessThanOrEqualTo(concurrency).isPositive();
    assertThat(maxLive.get()).as("live pool threads").isLessThanOrEqualTo(concurrency).isPositive();
    assertThat(atOnce.max.get()).as("units seen running at once")
        .isLessThanOrEqualTo(concurrency).isPositive();
  }

  /**
   * Regression guard for the Go original, which took a unit from the waiting room before its hand-off to a
   * worker succeeded and lost it when another event won: hand-offs here race idle timeouts of 1 ms.
   */
  @Test
  void submit_racingIdleTimeouts_neverLosesAUnit() throws Exception {
    Worker worker = worker("race", 2, Map.of("pool.idleTimeout", "1ms", "pool.queueCapacity", "1"));
    UnitsAtOnce atOnce = new UnitsAtOnce();
    int finished = runRandomLoad(worker, 3, 2_000, new Random(7), atOnce);
    assertThat(finished).isEqualTo(3 * 2_000);
    assertThat(atOnce.max.get()).as("units seen running at once").isLessThanOrEqualTo(2);
  }

  /**
   * Regression: in a first version, an idle thread took a unit directly from the submitter, so a thread
   * going idle made room without a unit leaving the waiting room, and only the latter woke a waiting
   * submitter. Two submitters wait, one unit leaves, the woken submitter hands its unit to a thread that has
   * just gone idle, and the other waits out its whole timeout beside idle threads. Found by
   * PoolWorkerChurningContractTest. Now every unit passes through the waiting room, so leaving it is the
   * only way room appears; quick units from many producers through a room of one unit keep checking that.
   */
  @Test
  void submit_waitingWhileThreadsGoIdle_isWoken() throws Exception {
    Worker worker = worker("woken", 2, Map.of("pool.queueCapacity", "1"));
    AtomicInteger finished = new AtomicInteger();
    Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < 6; p++) {
      producers.add(Thread.ofPlatform().start(() -> {
        try {
          for (int i = 0; i < 3_000; i++) {
            if (!worker.submit(new WorkerTestUnit(i, finished::incrementAndGet), Duration.ofSeconds(2))) {
              errors.add(new AssertionError("submit waited 2 s for room while units kept finishing"));
              return;
            }
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }));
    }
    for (Thread producer : producers) {
      assertThat(producer.join(LONG.multipliedBy(3))).as("producer finished").isTrue();
    }
    assertThat(errors).isEmpty();
    WorkerAwait.until(LONG, () -> finished.get() == 6 * 3_000, () -> finished.get() + " units finished");
  }

  /**
   * Regression: a thread that took a unit and left more behind passed the wake-up on only to an idle
   * thread. A unit submitted while a thread was idle but already on its way (so submit neither woke nor
   * started one) could then be stranded with no thread coming although the pool had room to grow: with
   * blocking units, the last of them never started. Seen as a flaky contract test under load; here every
   * round starts from a few idle threads and submits a burst of blocking units, which must all run.
   */
  @Test
  void submit_burstOntoFewIdleThreads_growsToRunEveryUnit() throws Exception {
    for (int round = 0; round < 30; round++) {
      Worker worker = worker("burst", 8, Map.of());
      CountDownLatch warmRelease = new CountDownLatch(1);
      runBlocked(worker, 1 + round % 3, warmRelease); // 1 to 3 threads, now busy
      warmRelease.countDown();
      WorkerAwait.until(LONG, () -> worker.active() == 0, () -> "warm-up units to finish");
      CountDownLatch gate = new CountDownLatch(1);
      try {
        runBlocked(worker, 8, gate); // asserts that all 8 start
      } finally {
        gate.countDown();
      }
      assertThat(worker.threads()).isEqualTo(8);
    }
  }

  /**
   * Submits from {@code producers} threads, pausing now and then so threads go idle and time out; returns
   * how many units finished once all accepted ones did.
   */
  private static int runRandomLoad(Worker worker, int producers, int perProducer, Random random,
      UnitsAtOnce atOnce) throws InterruptedException {
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      Random own = new Random(random.nextLong());
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          for (int i = 0; i < perProducer; i++) {
            if (own.nextInt(8) == 0) {
              LockSupport.parkNanos(own.nextInt(2_000_000)); // let threads reach their idle timeout
            }
            long work = own.nextInt(3) == 0 ? own.nextInt(200_000) : 0;
            if (worker.submit(new WorkerTestUnit(i, () -> {
              atOnce.enter();
              try {
                if (work > 0) {
                  LockSupport.parkNanos(work);
                }
              } finally {
                atOnce.leave();
              }
              finished.incrementAndGet();
            }), LONG)) {
              accepted.incrementAndGet();
            } else {
              errors.add(new AssertionError("submit timed out although units keep finishing"));
            }
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }));
    }
    for (Thread thread : threads) {
      assertThat(thread.join(LONG.multipliedBy(3))).as("producer finished").isTrue();
    }
    assertThat(errors).isEmpty();
    WorkerAwait.until(LONG, () -> finished.get() == accepted.get(),
        () -> finished.get() + " of " + accepted.get() + " accepted units finished");
    return finished.get();
  }

  /** Submits {@code count} units that block on {@code gate} and returns once all run. */
  private static void runBlocked(Worker worker, int count, CountDownLatch gate) throws InterruptedException {
    runBlocked(worker, count, gate, new AtomicInteger());
  }

  /** As above, counting each unit in {@code finished} when it ends. */
  private static void runBlocked(Worker worker, int count, CountDownLatch gate, AtomicInteger finished)
      throws InterruptedException {
    CountDownLatch started = new CountDownLatch(count);
    for (int i = 0; i < count; i++) {
      assertThat(worker.submit(new WorkerTestUnit(i, () -> {
        started.countDown();
        awaitQuietly(gate);
        finished.incrementAndGet();
      }), LONG)).isTrue();
    }
    assertThat(started.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
  }

  /** Submits units numbered from 100 with a zero timeout until one is refused; returns how many were accepted. */
  private static int fill(Worker worker, Runnable body) throws InterruptedException {
    int accepted = 0;
    while (worker.submit(new WorkerTestUnit(100 + accepted, body), Duration.ZERO)) {
      accepted++;
      assertThat(accepted).as("bounded waiting room").isLessThan(1_000_000);
    }
    return accepted;
  }

  /**
   * Counts the live platform threads whose name starts with {@code prefix}. Enumerates the root thread
   * group rather than calling Thread.getAllStackTraces(), which stops every thread to take its stack: cheap
   * enough to sample in a loop.
   */
  private static int liveThreadsNamed(String prefix) {
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] threads;
    int n;
    do {
      threads = new Thread[root.activeCount() + 16];
      n = root.enumerate(threads, true);
    } while (n == threads.length); // the array was full: there may be more
    int count = 0;
    for (int i = 0; i < n; i++) {
      if (threads[i].getName().startsWith(prefix) && threads[i].isAlive()) {
        count++;
      }
    }
    return count;
  }

  /** Counts the units running at once, from inside them, and keeps the most seen. */
  private static final class UnitsAtOnce {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger max = new AtomicInteger();

    void enter() {
      max.accumulateAndGet(running.incrementAndGet(), Math::max);
    }

    void leave() {
      running.decrementAndGet();
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
