package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
