package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class FlowControlTest {

  @Test
  void acquire_takesAWholeBatchOrWaits() throws Exception {
    FlowControl flow = new FlowControl(15, 0, 10);
    assertThat(flow.acquire(0, TimeUnit.SECONDS)).isEqualTo(10);
    // 5 left: less than a batch, so no receive of 5
    assertThat(flow.acquire(0, TimeUnit.SECONDS)).isZero();
    flow.release(5);
    assertThat(flow.acquire(0, TimeUnit.SECONDS)).isEqualTo(10);
    assertThat(flow.held()).isEqualTo(15);
  }

  /**
   * Regression: a poller waited for a whole batch (min(10, limit)) of free permits, so with one slow
   * message holding a permit the others' permits stayed unused and their handlers idle until it finished.
   */
  @Test
  void acquire_lessThanABatchFreeForTheBatchWait_takesWhatIsFree() throws Exception {
    FlowControl flow = new FlowControl(4, 0, 10, TimeUnit.MILLISECONDS.toNanos(50));
    assertThat(flow.acquire(0, TimeUnit.SECONDS)).isEqualTo(4);
    flow.release(3); // the fourth is a slow message's
    assertThat(flow.acquire(0, TimeUnit.SECONDS)).as("no wait, so no partial batch").isZero();
    assertThat(flow.acquire(10, TimeUnit.SECONDS)).isEqualTo(3);
    assertThat(flow.held()).isEqualTo(4);
  }

  @Test
  void acquire_pastTheBatchWait_aSinglePermitWakesIt() throws Exception {
    FlowControl flow = new FlowControl(4, 0, 10, TimeUnit.MILLISECONDS.toNanos(20));
    assertThat(flow.acquire(0, TimeUnit.SECONDS)).isEqualTo(4);
    AtomicInteger taken = new AtomicInteger(-1);
    Thread waiter = Thread.ofVirtual().start(() -> {
      try {
        taken.set(flow.acquire(20, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    flow.release(1); // before or after the waiter's batch wait: either way it gets this one permit
    waiter.join(Duration.ofSeconds(10));
    assertThat(taken.get()).isEqualTo(1);
  }

  @Test
  void acquire_limitBelowABatchTakesTheLimit() throws Exception {
    FlowControl flow = new FlowControl(3, 0, 10);
    assertThat(flow.acquire(0, TimeUnit.SECONDS)).isEqualTo(3);
    assertThat(flow.acquire(0, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void close_wakesWaiters() throws Exception {
    FlowControl flow = new FlowControl(10, 0, 10);
    flow.acquire(0, TimeUnit.SECONDS);
    Thread waiter = Thread.ofVirtual().start(() -> {
      try {
        assertThat(flow.acquire(1, TimeUnit.DAYS)).isZero();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    flow.close();
    waiter.join();
  }

  /** Many pollers and many finishing handlers: permits held never exceed the limit, none leak. */
  @RepeatedTest(3)
  void stress_heldNeverExceedsLimit() throws Exception {
    int limit = ThreadLocalRandom.current().nextInt(10, 60);
    FlowControl flow = new FlowControl(limit, 0, 10);
    AtomicInteger held = new AtomicInteger();
    AtomicInteger maxHeld = new AtomicInteger();
    AtomicLong acquired = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.add(Thread.ofVirtual().start(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 2_000; i++) {
          try {
            int n = flow.acquire(1, TimeUnit.SECONDS);
            assertThat(n).isPositive();
            maxHeld.accumulateAndGet(held.addAndGet(n), Math::max);
            acquired.addAndGet(n);
            // give back in pieces, like messages finishing one by one
            int left = n;
            while (left > 0) {
              int piece = Math.min(left, 1 + random.nextInt(3));
              held.addAndGet(-piece);
              flow.release(piece);
              left -= piece;
            }
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
        }
      }));
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(maxHeld.get()).isLessThanOrEqualTo(limit);
    assertThat(flow.held()).isZero();
    assertThat(acquired.get()).isGreaterThanOrEqualTo(8 * 2_000);
  }

  /**
   * Pollers wait for whole batches while other threads give the permits back one at a time (release() takes
   * the lock only to wake a poller): no wake-up is lost, every acquire returns permits long before its 30 s
   * deadline would end it with zero.
   */
  @RepeatedTest(3)
  void stress_releasesOnOtherThreadsWakeBatchWaiters() throws Exception {
    releasedOneByOneByOthers(TimeUnit.SECONDS.toNanos(30));
  }

  /** The same past the batch wait (zero): pollers take what is free, woken by single permits. */
  @RepeatedTest(3)
  void stress_releasesOnOtherThreadsWakePartialWaiters() throws Exception {
    releasedOneByOneByOthers(0);
  }

  private static void releasedOneByOneByOthers(long batchWaitNanos) throws Exception {
    int limit = 25;
    FlowControl flow = new FlowControl(limit, 0, 10, batchWaitNanos);
    LinkedBlockingQueue<Integer> toRelease = new LinkedBlockingQueue<>();
    AtomicInteger empty = new AtomicInteger();
    AtomicInteger held = new AtomicInteger();
    AtomicInteger maxHeld = new AtomicInteger();
    AtomicLong acquired = new AtomicLong();
    List<Thread> pollers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      pollers.add(Thread.ofVirtual().start(() -> {
        for (int i = 0; i < 500; i++) {
          try {
            int n = flow.acquire(30, TimeUnit.SECONDS);
            if (n == 0) {
              empty.incrementAndGet();
              return;
            }
            maxHeld.accumulateAndGet(held.addAndGet(n), Math::max);
            acquired.addAndGet(n);
            for (int k = 0; k < n; k++) {
              toRelease.add(1);
            }
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
        }
      }));
    }
    AtomicBoolean pollersDone = new AtomicBoolean();
    List<Thread> releasers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      releasers.add(Thread.ofVirtual().start(() -> {
        try {
          while (!pollersDone.get() || !toRelease.isEmpty()) {
            Integer permit = toRelease.poll(10, TimeUnit.MILLISECONDS);
            if (permit != null) {
              held.decrementAndGet();
              flow.release(permit);
            }
          }
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }));
    }
    for (Thread poller : pollers) {
      poller.join();
    }
    pollersDone.set(true);
    for (Thread releaser : releasers) {
      releaser.join();
    }
    assertThat(empty.get()).isZero();
    assertThat(acquired.get()).isGreaterThanOrEqualTo(4 * 500);
    assertThat(maxHeld.get()).isLessThanOrEqualTo(limit);
    assertThat(flow.held()).isZero();
  }

  @Test
  void prefetch_raisesAndLowersTheLimit() throws Exception {
    FlowControl flow = new FlowControl(10, 0, 10);
    flow.acquire(0, TimeUnit.SECONDS);
    flow.prefetch(20);
    assertThat(flow.limit()).isEqualTo(30);
    assertThat(flow.acquire(0, TimeUnit.SECONDS)).isEqualTo(10);
    flow.prefetch(0);
    assertThat(flow.acquire(0, TimeUnit.SECONDS)).isZero();
  }
}
