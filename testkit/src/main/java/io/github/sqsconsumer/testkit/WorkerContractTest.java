package io.github.sqsconsumer.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.github.sqsconsumer.spi.WorkUnit;
import io.github.sqsconsumer.spi.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Worker} meets, this library's and a user's own: extend this class and implement
 * {@link #newWorker(int)}.
 *
 * <p>It checks, with latches and counters rather than sleeps: the concurrency limit (never exceeded under
 * load from many producer threads; reached by blocking units, which must all run at once); that every
 * accepted unit runs exactly once or comes back from {@code shutdown} unstarted; that throwing units cost
 * no capacity; backpressure ({@code submit} waits, returns false when its timeout runs out, and throws when
 * interrupted); and shutdown (rejects later units, also those already waiting for room, returns within
 * its timeout, interrupts units still running, returns nothing the second time, and when its caller is
 * interrupted still returns every unit it did not start). The randomized tests draw a new seed each
 * repetition and print it in every failure message.
 *
 * <p>The units are {@link WorkerTestUnit}s that let exceptions escape, so a worker's logs show warnings
 * during these tests. Each test takes well under a second unless the worker is wrong.
 */
public abstract class WorkerContractTest {
  /*
   * Size:
   *   One class because a worker meets the contract by extending one class: a subclass per
   *   implementation (a user's own, too) runs every test here. Each test is one rule of the Worker
   *   contract, checked under load; the units and waits it uses are apart (WorkerTestUnit, WorkerAwait).
   */
  /** Long enough never to run out in a correct run, short enough to fail a wrong one quickly. */
  private static final Duration LONG = Duration.ofSeconds(10);
  private static final int[] CONCURRENCIES = {1, 2, 3, 4, 8, 16};
  /** A worker that accepts this many units without pushing back queues without bound. */
  private static final int UNBOUNDED = 1_000_000;

  private final List<Worker> workers = new ArrayList<>();

  /** For subclasses: one per worker under test, created by JUnit for each test. */
  protected WorkerContractTest() {}
  /** Blocking units wait for this; opened after each test so nothing is left hanging. */
  private final CountDownLatch release = new CountDownLatch(1);

  /**
   * {@return a new worker that runs at most {@code concurrency} units at once; called one or more times per
   * test, each worker shut down after the test}
   *
   * @param concurrency the most units the worker runs at once, 1 or more
   */
  protected abstract Worker newWorker(int concurrency);

  private Worker worker(int concurrency) {
    Worker worker = newWorker(concurrency);
    workers.add(worker);
    return worker;
  }

  @AfterEach
  final void shutDownWorkers() throws InterruptedException {
    release.countDown();
    for (Worker worker : workers) {
      worker.shutdown(Duration.ofSeconds(5));
    }
  }

  @RepeatedTest(5)
  void submit_manyProducers_neverExceedsConcurrencyAndRunsEachUnitOnce() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    int concurrency = CONCURRENCIES[random.nextInt(CONCURRENCIES.length)];
    int producers = 2 + random.nextInt(7);
    int perProducer = 200 + random.nextInt(200);
    String run = String.format("seed %d, concurrency %d, %d producers of %d units",
        seed, concurrency, producers, perProducer);
    Worker worker = worker(concurrency);
    Probe probe = new Probe();
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger ids = new AtomicInteger();
    Queue<Throwable> errors = new ConcurrentLinkedQueue<>();

    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      Random own = new Random(random.nextLong());
      threads.add(Thread.ofPlatform().name("producer-" + p).start(() -> {
        try {
          for (int i = 0; i < perProducer; i++) {
            if (worker.submit(probe.unit(ids.getAndIncrement(), randomBehaviour(own)), LONG)) {
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
    join(threads);
    assertThat(errors).as(run).isEmpty();
    WorkerAwait.until(LONG, () -> probe.finished.get() == accepted.get(),
        () -> run + ": " + probe.finished.get() + " of " + accepted.get() + " accepted units finished");

    assertThat(accepted.get()).as(run).isEqualTo(producers * perProducer);
    assertThat(probe.duplicates.get()).as(run + ": units run twice").isZero();
    assertThat(probe.started).as(run).hasSize(accepted.get());
    // At most, not exactly: whether random units from a few producers ever overlap fully depends on the
    // scheduling (semaphore, concurrency 16, 2 producers reached 15 on a loaded machine). Reaching the
    // limit is checked with blocking units, which must all run at once (fill, keepFullCapacity).
    assertThat(probe.max.get()).as(run + ": most units seen running at once")
        .isLessThanOrEqualTo(concurrency).isPositive();
  }

  @RepeatedTest(4)
  void shutdown_whileProducersSubmit_accountsForEveryUnit() throws Exception {
    Storm storm = startStorm();
    String run = storm.run();
    int concurrency = storm.concurrency();
    Worker worker = storm.worker();
    Probe probe = storm.probe();
    AtomicInteger accepted = storm.accepted();
    Queue<Throwable> errors = storm.errors();
    List<Thread> threads = storm.threads();

    long start = System.nanoTime();
    List<WorkUnit> returned = worker.shutdown(LONG);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    join(threads);

    assertThat(errors).as(run).isEmpty();
    assertThat(took).as(run + ": shutdown of short units").isLessThan(LONG);
    assertThat(probe.running.get()).as(run + ": units running after shutdown returned").isZero();
    Set<Integer> returnedIds = ids(returned);
    assertThat(returnedIds).as(run + ": returned units are distinct").hasSize(returned.size());
    assertThat(returnedIds).as(run + ": returned units never started").doesNotContainAnyElementsOf(probe.started);
    assertThat(probe.duplicates.get()).as(run + ": units run twice").isZero();
    assertThat(probe.started.size() + returned.size()).as(run + ": run + returned").isEqualTo(accepted.get());
    assertThat(probe.max.get()).as(run).isLessThanOrEqualTo(concurrency);
  }

  @Test
  void submit_throwingUnits_keepFullCapacity() throws Exception {
    int concurrency = 4;
    Worker worker = worker(concurrency);
    Probe probe = new Probe();
    for (int i = 0; i < 50 * concurrency; i++) {
      assertThat(worker.submit(probe.unit(i, Probe::fail), LONG)).isTrue();
    }
    WorkerAwait.until(LONG, () -> probe.finished.get() == 50 * concurrency, () -> "throwing units to finish");

    CountDownLatch started = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      assertThat(worker.submit(probe.unit(1000 + i, blockUntilReleased(started)), LONG)).isTrue();
    }
    assertThat(started.await(LONG.toMillis(), TimeUnit.MILLISECONDS))
        .as("all %d units run at once after %d units threw", concurrency, 50 * concurrency).isTrue();
    assertThat(worker.active()).isEqualTo(concurrency);
  }

  /**
   * Units that throw Errors, even a StackOverflowError or an OutOfMemoryError, cost no capacity and stop
   * nothing: the worker's permits and threads come back, and it runs as many units at once as before.
   */
  @Test
  void submit_unitsThrowingErrors_keepFullCapacity() throws Exception {
    int concurrency = 4;
    Worker worker = worker(concurrency);
    Probe probe = new Probe();
    List<Supplier<Error>> errors = List.of(() -> new AssertionError("thrown on purpose by a test unit"),
        StackOverflowError::new, () -> new OutOfMemoryError("thrown on purpose by a test unit"));
    int units = 30 * concurrency;
    for (int i = 0; i < units; i++) {
      Supplier<Error> error = errors.get(i % errors.size());
      assertThat(worker.submit(probe.unit(i, () -> {
        throw error.get();
      }), LONG)).isTrue();
    }
    WorkerAwait.until(LONG, () -> probe.finished.get() == units, () -> "throwing units to finish");

    CountDownLatch started = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      assertThat(worker.submit(probe.unit(1000 + i, blockUntilReleased(started)), LONG)).isTrue();
    }
    assertThat(started.await(LONG.toMillis(), TimeUnit.MILLISECONDS))
        .as("all %d units run at once after %d units threw Errors", concurrency, units).isTrue();
    assertThat(worker.active()).isEqualTo(concurrency);
  }

  @Test
  void submit_zeroTimeoutWhenFull_returnsFalseAndLosesNothing() throws Exception {
    int concurrency = 2;
    Worker worker = worker(concurrency);
    Probe probe = new Probe();
    CountDownLatch started = new CountDownLatch(concurrency);
    int accepted = fill(worker, probe, concurrency, blockUntilReleased(started), started);

    assertThat(worker.submit(probe.unit(-1, () -> {}), Duration.ZERO)).as("submit when full").isFalse();
    assertThat(worker.active()).isEqualTo(concurrency);
    assertThat(worker.waiting()).isEqualTo(accepted - concurrency);

    release.countDown();
    WorkerAwait.until(LONG, () -> probe.finished.get() == accepted,
        () -> probe.finished.get() + " of " + accepted + " accepted units finished");
    assertThat(probe.started).doesNotContain(-1).hasSize(accepted);
    assertThat(probe.max.get()).isEqualTo(concurrency);
  }

  @Test
  void submit_whenFull_waitsForRoomAndThenAccepts() throws Exception {
    Worker worker = worker(1);
    Probe probe = new Probe();
    CountDownLatch started = new CountDownLatch(1);
    int accepted = fill(worker, probe, 1, blockUntilReleased(started), started);

    CompletableFuture<Boolean> result = new CompletableFuture<>();
    Thread producer = Thread.ofPlatform().start(() -> submitInto(worker, probe.unit(-1, () -> {}), result));
    WorkerAwait.untilBlocked(producer, LONG);
    assertThat(result).as("submit waits while full").isNotDone();

    release.countDown();
    assertThat(result.get(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    WorkerAwait.until(LONG, () -> probe.finished.get() == accepted + 1, () -> "all units to finish");
    assertThat(probe.started).contains(-1);
  }

  @Test
  void submit_interruptedWhileWaiting_throwsAndDoesNotAcceptTheUnit() throws Exception {
    Worker worker = worker(1);
    Probe probe = new Probe();
    CountDownLatch started = new CountDownLatch(1);
    int accepted = fill(worker, probe, 1, blockUntilReleased(started), started);

    CompletableFuture<Boolean> result = new CompletableFuture<>();
    Thread producer = Thread.ofPlatform().start(() -> submitInto(worker, probe.unit(-1, () -> {}), result));
    WorkerAwait.untilBlocked(producer, LONG);
    producer.interrupt();

    assertThatThrownBy(() -> result.get(LONG.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InterruptedException.class);
    release.countDown();
    WorkerAwait.until(LONG, () -> probe.finished.get() == accepted, () -> "accepted units to finish");
    assertThat(worker.shutdown(LONG)).isEmpty();
    assertThat(probe.started).doesNotContain(-1).hasSize(accepted);
  }

  @Test
  void submit_afterShutdown_throwsRejectedExecution() throws Exception {
    Worker worker = worker(2);
    worker.shutdown(LONG);

    assertThatThrownBy(() -> worker.submit(new WorkerTestUnit(1, () -> {}), Duration.ZERO))
        .isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> worker.submit(new WorkerTestUnit(2, () -> {}), LONG))
        .isInstanceOf(RejectedExecutionException.class);
  }

  @Test
  void shutdown_whileUnitsBlock_returnsWithinTimeoutAndInterruptsThem() throws Exception {
    int concurrency = 3;
    Worker worker = worker(concurrency);
    Probe probe = new Probe();
    CountDownLatch started = new CountDownLatch(concurrency);
    CountDownLatch interrupted = new CountDownLatch(concurrency);
    CountDownLatch never = new CountDownLatch(1);
    int accepted = fill(worker, probe, concurrency, () -> {
      started.countDown();
      try {
        never.await();
      } catch (InterruptedException e) {
        interrupted.countDown();
      }
    }, started);

    Duration timeout = Duration.ofMillis(300);
    long start = System.nanoTime();
    List<WorkUnit> returned = worker.shutdown(timeout);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took).as("shutdown waits for running units up to its timeout")
        .isGreaterThanOrEqualTo(timeout.minusMillis(20))
        .isLessThan(timeout.plusSeconds(3));
    assertThat(interrupted.await(LONG.toMillis(), TimeUnit.MILLISECONDS))
        .as("units still running at the timeout are interrupted").isTrue();
    assertThat(returned).hasSize(accepted - concurrency);
    assertThat(ids(returned)).doesNotContainAnyElementsOf(probe.started);
    assertThat(probe.started).hasSize(concurrency);
  }

  /**
   * Regression: the pool worker took the waiting units out of its ring, was then interrupted while it
   * waited for the running ones and threw InterruptedException: the units it had taken out were lost
   * (their messages never released) and a second call returned an empty list. An interrupted shutdown
   * must end its wait, interrupt the running units and still return every unit it did not start.
   */
  @Test
  void shutdown_interruptedWhileUnitsRun_stillReturnsEveryUnstartedUnit() throws Exception {
    int concurrency = 2;
    Worker worker = worker(concurrency);
    Probe probe = new Probe();
    CountDownLatch started = new CountDownLatch(concurrency);
    CountDownLatch interrupted = new CountDownLatch(concurrency);
    int accepted = fill(worker, probe, concurrency, blockUntilInterrupted(started, interrupted), started);

    CompletableFuture<Boolean> interruptStatus = new CompletableFuture<>();
    CompletableFuture<List<WorkUnit>> result = new CompletableFuture<>();
    // Far longer than the test may take: only the interrupt can end this wait in time.
    Thread closer = Thread.ofPlatform().name("closer").start(
        () -> shutdownInto(worker, Duration.ofMinutes(10), interruptStatus, result));
    WorkerAwait.untilBlocked(closer, LONG);
    closer.interrupt();

    assertShutdownInterrupted(worker, probe, accepted, concurrency, interrupted, interruptStatus, result);
  }

  @Test
  void shutdown_callerAlreadyInterrupted_stillReturnsEveryUnstartedUnit() throws Exception {
    int concurrency = 2;
    Worker worker = worker(concurrency);
    Probe probe = new Probe();
    CountDownLatch started = new CountDownLatch(concurrency);
    CountDownLatch interrupted = new CountDownLatch(concurrency);
    int accepted = fill(worker, probe, concurrency, blockUntilInterrupted(started, interrupted), started);

    CompletableFuture<Boolean> interruptStatus = new CompletableFuture<>();
    CompletableFuture<List<WorkUnit>> result = new CompletableFuture<>();
    Thread.ofPlatform().name("closer").start(() -> {
      Thread.currentThread().interrupt();
      shutdownInto(worker, Duration.ofMinutes(10), interruptStatus, result);
    });

    assertShutdownInterrupted(worker, probe, accepted, concurrency, interrupted, interruptStatus, result);
  }

  /**
   * Every accepted unit runs exactly once or comes back, also when the shutdown racing the producers is
   * interrupted at a random moment (before it starts, while it waits, or after it returned).
   */
  @RepeatedTest(4)
  void shutdown_interruptedWhileProducersSubmit_accountsForEveryUnit() throws Exception {
    Storm storm = startStorm();
    String run = storm.run();
    int concurrency = storm.concurrency();
    Worker worker = storm.worker();
    Probe probe = storm.probe();
    AtomicInteger accepted = storm.accepted();
    Queue<Throwable> errors = storm.errors();
    List<Thread> threads = storm.threads();

    CompletableFuture<Boolean> interruptStatus = new CompletableFuture<>();
    CompletableFuture<List<WorkUnit>> result = new CompletableFuture<>();
    Thread closer = Thread.ofPlatform().name("closer").start(
        () -> shutdownInto(worker, LONG, interruptStatus, result));
    LockSupport.parkNanos(storm.random().nextInt(3_000_000)); // a moment in the first 3 ms, where units still run
    closer.interrupt();
    List<WorkUnit> returned = result.get(LONG.toMillis(), TimeUnit.MILLISECONDS);
    join(threads);

    assertThat(errors).as(run).isEmpty();
    Set<Integer> returnedIds = ids(returned);
    assertThat(returnedIds).as(run + ": returned units are distinct").hasSize(returned.size());
    WorkerAwait.until(LONG, () -> probe.finished.get() == accepted.get() - returned.size(),
        () -> run + ": " + probe.finished.get() + " units finished, " + returned.size() + " returned, of "
            + accepted.get() + " accepted");
    assertThat(returnedIds).as(run + ": returned units never started").doesNotContainAnyElementsOf(probe.started);
    assertThat(probe.duplicates.get()).as(run + ": units run twice").isZero();
    assertThat(probe.started.size() + returned.size()).as(run + ": run + returned").isEqualTo(accepted.get());
    assertThat(probe.max.get()).as(run).isLessThanOrEqualTo(concurrency);
    assertThat(worker.shutdown(LONG)).as(run + ": second shutdown").isEmpty();
  }

  /**
   * Regression: the semaphore worker gave its permits back only when shutdown found every unit finished.
   * When it timed out instead, a submitter blocked for room behind units that ignore the interrupt was not
   * woken and waited out its own timeout (here ten minutes) instead of learning of the shutdown.
   */
  @Test
  void shutdown_timesOutWhileSubmitterWaits_rejectsItPromptly() throws Exception {
    Worker worker = worker(1);
    Probe probe = new Probe();
    CountDownLatch started = new CountDownLatch(1);
    fill(worker, probe, 1, blockIgnoringInterrupts(started), started);

    CompletableFuture<Boolean> result = new CompletableFuture<>();
    Thread producer = Thread.ofPlatform().name("producer").daemon(true).start(() -> {
      try {
        result.complete(worker.submit(probe.unit(-1, () -> {}), Duration.ofMinutes(10)));
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    WorkerAwait.untilBlocked(producer, LONG);

    worker.shutdown(Duration.ofMillis(100)); // times out: the running unit ignores the interrupt
    assertThatThrownBy(() -> result.get(LONG.toMillis(), TimeUnit.MILLISECONDS))
        .as("the blocked submit learns of the shutdown at once")
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RejectedExecutionException.class);
    assertThat(probe.started).doesNotContain(-1);
  }

  @Test
  void shutdown_calledTwice_returnsEmptyTheSecondTime() throws Exception {
    Worker worker = worker(2);
    Probe probe = new Probe();
    CountDownLatch started = new CountDownLatch(2);
    fill(worker, probe, 2, blockUntilReleased(started), started);
    release.countDown();

    worker.shutdown(LONG);
    assertThat(worker.shutdown(LONG)).isEmpty();
  }

  @Test
  void shutdown_whenIdle_returnsPromptlyWithGaugesAtZero() throws Exception {
    int concurrency = 4;
    Worker worker = worker(concurrency);
    Probe probe = new Probe();
    for (int i = 0; i < 100; i++) {
      assertThat(worker.submit(probe.unit(i, () -> {}), LONG)).isTrue();
    }
    WorkerAwait.until(LONG, () -> probe.finished.get() == 100, () -> "units to finish");

    long start = System.nanoTime();
    assertThat(worker.shutdown(Duration.ofSeconds(30))).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("shutdown of an idle worker")
        .isLessThan(Duration.ofSeconds(5));
    assertThat(worker.active()).isZero();
    assertThat(worker.waiting()).isZero();
  }

  @Test
  void active_countsRunningUnits() throws Exception {
    int concurrency = 3;
    Worker worker = worker(concurrency);
    Probe probe = new Probe();
    CountDownLatch started = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      assertThat(worker.submit(probe.unit(i, blockUntilReleased(started)), LONG)).isTrue();
    }
    assertThat(started.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(worker.active()).isEqualTo(concurrency);
    assertThat(worker.waiting()).isZero();
    assertThat(worker.threads()).isGreaterThanOrEqualTo(concurrency);

    release.countDown();
    WorkerAwait.until(LONG, () -> worker.active() == 0, () -> "active() to drop to 0 but was " + worker.active());
  }

  /**
   * Submits {@code concurrency} units and waits until they all run (each must count {@code started} down),
   * then submits more with a zero timeout until the worker refuses one: the worker is full. Returns how
   * many units it accepted in all. Units wait to start only once all threads are busy, so full is measured
   * then, not in the burst before the first units started.
   */
  private static int fill(Worker worker, Probe probe, int concurrency, Runnable body, CountDownLatch started)
      throws InterruptedException {
    int accepted = 0;
    for (; accepted < concurrency; accepted++) {
      assertThat(worker.submit(probe.unit(accepted, body), LONG)).as("unit %d accepted", accepted).isTrue();
    }
    assertThat(started.await(LONG.toMillis(), TimeUnit.MILLISECONDS))
        .as("%d units run at once", concurrency).isTrue();
    while (worker.submit(probe.unit(accepted, body), Duration.ZERO)) {
      if (++accepted == UNBOUNDED) {
        fail("the worker accepted %d units without pushing back", UNBOUNDED);
      }
    }
    return accepted;
  }

  /** Checks what an interrupted shutdown left: see shutdown_interruptedWhileUnitsRun_*. */
  private static void assertShutdownInterrupted(Worker worker, Probe probe, int accepted, int concurrency,
      CountDownLatch interrupted, CompletableFuture<Boolean> interruptStatus,
      CompletableFuture<List<WorkUnit>> result) throws Exception {
    List<WorkUnit> returned;
    try {
      returned = result.get(LONG.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("an interrupted shutdown threw instead of returning the unstarted units",
          e.getCause());
    }
    assertThat(returned).as("units returned by the interrupted shutdown").hasSize(accepted - concurrency);
    assertThat(ids(returned)).hasSize(accepted - concurrency).doesNotContainAnyElementsOf(probe.started);
    assertThat(interruptStatus.get()).as("the caller's interrupt status set again").isTrue();
    assertThat(interrupted.await(LONG.toMillis(), TimeUnit.MILLISECONDS))
        .as("running units interrupted as on a timeout").isTrue();
    WorkerAwait.until(LONG, () -> probe.finished.get() == concurrency, () -> "the running units to end");
    assertThat(probe.started).hasSize(concurrency);
    assertThat(worker.shutdown(LONG)).as("second shutdown").isEmpty();
  }

  /** Calls shutdown, then records the interrupt status it left and its result, in that order. */
  private static void shutdownInto(Worker worker, Duration timeout, CompletableFuture<Boolean> interruptStatus,
      CompletableFuture<List<WorkUnit>> result) {
    try {
      List<WorkUnit> returned = worker.shutdown(timeout);
      interruptStatus.complete(Thread.currentThread().isInterrupted());
      result.complete(returned);
    } catch (Throwable e) {
      interruptStatus.complete(Thread.currentThread().isInterrupted());
      result.completeExceptionally(e);
    }
  }

  /** Counts {@code started} down, then waits for the release, through interrupts; keeps the status. */
  private Runnable blockIgnoringInterrupts(CountDownLatch started) {
    return () -> {
      started.countDown();
      boolean interrupted = false;
      while (true) {
        try {
          release.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    };
  }

  /** Counts {@code started} down, then waits for the release; counts {@code interrupted} down if interrupted. */
  private Runnable blockUntilInterrupted(CountDownLatch started, CountDownLatch interrupted) {
    return () -> {
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        interrupted.countDown();
      }
    };
  }

  private Runnable blockUntilReleased(CountDownLatch started) {
    return () -> {
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  private static void submitInto(Worker worker, WorkUnit unit, CompletableFuture<Boolean> result) {
    try {
      result.complete(worker.submit(unit, LONG));
    } catch (Throwable e) {
      result.completeExceptionally(e);
    }
  }

  /** Returns quickly, parks 0.5 to 2 ms, throws, or parks and then throws. */
  private static Runnable randomBehaviour(Random random) {
    long nanos = 500_000 + random.nextInt(1_500_000);
    return switch (random.nextInt(4)) {
      case 0 -> () -> {};
      case 1 -> () -> LockSupport.parkNanos(nanos);
      case 2 -> Probe::fail;
      default -> () -> {
        LockSupport.parkNanos(nanos);
        Probe.fail();
      };
    };
  }

  private static Set<Integer> ids(List<WorkUnit> units) {
    Set<Integer> ids = new HashSet<>();
    for (WorkUnit unit : units) {
      assertThat(unit).as("a returned unit is one that was submitted").isInstanceOf(WorkerTestUnit.class);
      ids.add(((WorkerTestUnit) unit).id());
    }
    return ids;
  }

  /** Producers submitting randomly behaving units to a new worker, until it shuts down (rejects). */
  private record Storm(String run, Random random, int concurrency, Worker worker, Probe probe,
      AtomicInteger accepted, Queue<Throwable> errors, List<Thread> threads) {}

  /** Starts 2-5 producers on a worker of a random concurrency and waits until 300 units finished. */
  private Storm startStorm() throws InterruptedException {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    int concurrency = CONCURRENCIES[random.nextInt(CONCURRENCIES.length)];
    int producers = 2 + random.nextInt(4);
    String run = String.format("seed %d, concurrency %d, %d producers", seed, concurrency, producers);
    Worker worker = worker(concurrency);
    Probe probe = new Probe();
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger ids = new AtomicInteger();
    Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      Random own = new Random(random.nextLong());
      threads.add(Thread.ofPlatform().name("producer-" + p).start(() -> {
        try {
          while (true) {
            if (worker.submit(probe.unit(ids.getAndIncrement(), randomBehaviour(own)), Duration.ofMillis(100))) {
              accepted.incrementAndGet();
            }
          }
        } catch (RejectedExecutionException expected) {
          // shut down: this producer is done
        } catch (Throwable e) {
          errors.add(e);
        }
      }));
    }
    WorkerAwait.until(LONG, () -> probe.finished.get() >= 300, () -> run + ": 300 units to finish");
    return new Storm(run, random, concurrency, worker, probe, accepted, errors, threads);
  }

  private static void join(List<Thread> threads) throws InterruptedException {
    for (Thread thread : threads) {
      if (!thread.join(LONG.multipliedBy(3))) {
        fail("%s did not finish; it is %s", thread.getName(), thread.getState());
      }
    }
  }

  /** Records which units ran, how many ran at once, and whether one ran twice. */
  private static final class Probe {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger max = new AtomicInteger();
    final AtomicInteger finished = new AtomicInteger();
    final AtomicInteger duplicates = new AtomicInteger();
    final Set<Integer> started = ConcurrentHashMap.newKeySet();

    WorkerTestUnit unit(int id, Runnable body) {
      return new WorkerTestUnit(id, () -> {
        if (!started.add(id)) {
          duplicates.incrementAndGet();
        }
        max.accumulateAndGet(running.incrementAndGet(), Math::max); // [running <= concurrency]
        try {
          body.run();
        } finally {
          running.decrementAndGet();
          finished.incrementAndGet();
        }
      });
    }

    static void fail() {
      throw new IllegalStateException("thrown on purpose by a test unit");
    }
  }
}
