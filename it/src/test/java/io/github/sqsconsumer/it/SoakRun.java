package io.github.sqsconsumer.it;

import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.ConsumerListener;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.RetryPolicy;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The process {@link SoakTest} runs with a small heap: a consumer and an in-memory queue in one JVM, a
 * producer keeping at most {@link #BACKLOG} messages ahead of the handlers, until {@code messages} were
 * handled; faults and restarts along the way. At every tenth of the messages (handled once) it collects
 * garbage and prints the heap in use and the live platform threads:
 * {@code sample percent <p> heap <bytes> threads <count> handled <count>}; at the end {@code result ...}
 * with what it counted. The test reads these lines and judges; this process only fails (exit 1) when a
 * deadline passes.
 *
 * <h2>Faults</h2>
 * <ul>
 *   <li>1 % of receives, deletes and visibility changes fail whole ({@link InMemoryQueue#failRate}): failed
 *       polls back off, failed deletes bring messages back after the visibility timeout;</li>
 *   <li>1 in 200 messages fails its first handler call, and comes back through a visibility change;</li>
 *   <li>1 in 50,000 takes longer than the visibility timeout, so the heartbeat must extend it;</li>
 *   <li>the consumer is closed and a new one built at 15, 45 and 75 % (between samples), the second time
 *       with a shutdown timeout of zero, so running handlers are interrupted.</li>
 * </ul>
 * Per-message bookkeeping is two bits ({@link AtomicLongArray}s), so the process's own records stay a
 * small constant part of the heap; the queue tracks no history ({@link InMemoryQueue#trackMessages}).
 *
 * <p>Arguments: messages, worker, harvester.
 */
final class SoakRun {
  /** Messages sent and not yet handled at most: bounds the queue's memory, so the heap measures the consumer. */
  static final int BACKLOG = 10_000;
  static final double QUEUE_FAILURES = 0.01;
  static final int FAIL_FIRST_EVERY = 200;
  static final int SLOW_EVERY = 50_000;
  static final Duration VISIBILITY = Duration.ofSeconds(2);
  /** Restarts at these shares of the messages, between the samples at every tenth. */
  static final List<Double> RESTARTS = List.of(0.15, 0.45, 0.75);
  /** Generous for a loaded 2-core machine: a million messages have run in minutes. */
  private static final Duration STEP_DEADLINE = Duration.ofMinutes(5);

  private final int messages;
  private final Combination parts;
  private final InMemoryQueue queue = InMemoryQueue.standard("soak", VISIBILITY).trackMessages(false)
      .failRate(QUEUE_FAILURES);
  private final AtomicLongArray handled; // one bit per message: handled to the end at least once
  private final AtomicLongArray failedOnce; // one bit per message: its passing failure happened
  private final Semaphore backlog = new Semaphore(BACKLOG);
  private final LongAdder firstHandled = new LongAdder();
  private final LongAdder calls = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder passingFailures = new LongAdder();
  private final LongAdder interrupted = new LongAdder();
  private final LongAdder pollErrors = new LongAdder();
  private final LongAdder acknowledgementFailures = new LongAdder();
  private final LongAdder extended = new LongAdder();
  private final LongAdder released = new LongAdder();

  private SoakRun(int messages, Combination parts) {
    this.messages = messages;
    this.parts = parts;
    this.handled = new AtomicLongArray((messages + 63) / 64);
    this.failedOnce = new AtomicLongArray((messages + 63) / 64);
  }

  public static void main(String[] args) {
    try {
      new SoakRun(Integer.parseInt(args[0]), new Combination(args[1], args[2])).run();
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1); // a consumer still running would keep the process alive
    }
    // on success main returns: the process ends only if the last close left no non-daemon thread behind
  }

  private void run() throws Exception {
    Thread producer = Thread.ofPlatform().name("soak-producer").daemon().start(this::produce);
    long start = System.nanoTime();
    int generation = 1;
    Consumer consumer = start(generation);
    int nextRestart = 0;
    for (int tenth = 1; tenth <= 10; tenth++) {
      while (nextRestart < RESTARTS.size() && RESTARTS.get(nextRestart) < tenth / 10.0) {
        awaitHandled((long) (messages * RESTARTS.get(nextRestart)));
        consumer.close();
        nextRestart++;
        generation++;
        consumer = start(generation);
        System.out.println("restart " + generation + " at " + firstHandled.sum());
      }
      awaitHandled((long) messages * tenth / 10);
      sample(tenth * 10);
    }
    await("the queue empty").atMost(STEP_DEADLINE).pollInterval(Duration.ofMillis(100)).until(queue::isEmpty);
    long elapsed = System.nanoTime() - start;
    consumer.close();
    producer.join(TimeUnit.SECONDS.toMillis(10));
    long missing = 0;
    for (int i = 0; i < messages; i++) {
      if (!bit(handled, i)) {
        missing++;
      }
    }
    System.out.printf("result messages %d missing %d calls %d duplicates %d sent %d deleted %d left %d "
            + "requests %d passingFailures %d interrupted %d pollErrors %d acknowledgementFailures %d extended %d "
            + "released %d generations %d millis %d%n", messages, missing, calls.sum(),
        duplicates.sum(), queue.sent(), queue.deleted(),
        queue.size(), queue.requests(), passingFailures.sum(), interrupted.sum(), pollErrors.sum(),
        acknowledgementFailures.sum(), extended.sum(), released.sum(), generation, elapsed / 1_000_000);
  }

  private Consumer start(int generation) {
    // generation 2 ends at the second restart with a close that waits for nothing: handlers are interrupted
    Duration shutdownTimeout = generation == 2 ? Duration.ZERO : Duration.ofSeconds(10);
    Consumer consumer = parts.onMemory(queue)
        .name("soak-" + generation)
        .concurrency(16)
        .waitTime(Duration.ofSeconds(1))
        .retryPolicy(RetryPolicy.fixed(Duration.ZERO))
        .shutdownTimeout(shutdownTimeout)
        .listener(new Counting())
        .handler(this::handle)
        .build();
    consumer.start();
    return consumer;
  }

  private void handle(Message message) throws InterruptedException {
    calls.increment();
    int n = EndToEnd.index(message);
    if (n % FAIL_FIRST_EVERY == 0 && set(failedOnce, n)) {
      passingFailures.increment();
      throw new IllegalStateException("passing failure");
    }
    if (n % SLOW_EVERY == 1) {
      try {
        Thread.sleep(VISIBILITY.multipliedBy(2));
      } catch (InterruptedException e) {
        interrupted.increment();
        throw e;
      }
    }
    if (set(handled, n)) {
      firstHandled.increment();
      backlog.release();
    } else {
      duplicates.increment();
    }
  }

  private void produce() {
    try {
      for (int i = 0; i < messages; i++) {
        if (!backlog.tryAcquire(STEP_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
          System.out.println("producer stuck at " + i);
          System.exit(1);
        }
        queue.send("m-" + i);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitHandled(long count) {
    await("handled " + count).atMost(STEP_DEADLINE).pollInterval(Duration.ofMillis(20))
        .until(() -> firstHandled.sum() >= count);
  }

  /** Collects garbage (twice: the second finds what the first only made unreachable) and prints the heap. */
  private void sample(int percent) {
    System.gc();
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    System.out.printf("sample percent %d heap %d threads %d handled %d%n", percent, heap, threads, firstHandled.sum());
  }

  /** Sets bit {@code n}; returns true if this call set it. */
  private static boolean set(AtomicLongArray bits, int n) {
    long mask = 1L << (n & 63);
    long old = bits.getAndUpdate(n >>> 6, word -> word | mask);
    return (old & mask) == 0;
  }

  private static boolean bit(AtomicLongArray bits, int n) {
    return (bits.get(n >>> 6) & (1L << (n & 63))) != 0;
  }

  /** Counts the faults the consumer met; counters only, so it holds nothing per message. */
  private final class Counting implements ConsumerListener {
    @Override
    public void onPollError(Throwable cause, Duration backoff) {
      pollErrors.increment();
    }

    @Override
    public void onAcknowledgementFailed(Message message, Throwable cause) {
      acknowledgementFailures.increment();
    }

    @Override
    public void onVisibilityExtended(Message message, Duration visibility) {
      extended.increment();
    }

    @Override
    public void onReleased(Message message, Duration visibility) {
      released.increment();
    }
  }
}
