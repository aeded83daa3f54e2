package io.github.sqsconsumer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

final class ThreadCpuTest {
  /** The process's CPU time advances in clock ticks (10 ms on Linux); a thread's to the nanosecond. */
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  @Test
  void owner_byThreadName() {
    assertThat(ThreadCpu.owner("bench-pool-7")).isEqualTo(ThreadCpu.Owner.CONSUMER);
    assertThat(ThreadCpu.owner("bench-harvester-batch")).isEqualTo(ThreadCpu.Owner.CONSUMER);
    assertThat(ThreadCpu.owner("plain-sdk-poll-0")).isEqualTo(ThreadCpu.Owner.CONSUMER);
    assertThat(ThreadCpu.owner("uncapped-sdk-flusher")).isEqualTo(ThreadCpu.Owner.CONSUMER);
    assertThat(ThreadCpu.owner("ForkJoinPool-1-worker-2")).isEqualTo(ThreadCpu.Owner.CARRIERS);
    assertThat(ThreadCpu.owner("sdk-async-response-3-12")).isEqualTo(ThreadCpu.Owner.SDK);
    assertThat(ThreadCpu.owner("aws-java-sdk-NettyEventLoop-4-1")).isEqualTo(ThreadCpu.Owner.SDK);
    assertThat(ThreadCpu.owner("elasticmq-1a2b3c4d-pekko.actor.default-dispatcher-5"))
        .isEqualTo(ThreadCpu.Owner.ELASTICMQ);
    assertThat(ThreadCpu.owner("delay-proxy-send")).isEqualTo(ThreadCpu.Owner.HARNESS);
    assertThat(ThreadCpu.owner("main")).isEqualTo(ThreadCpu.Owner.HARNESS);
    assertThat(ThreadCpu.owner("Common-Cleaner")).isEqualTo(ThreadCpu.Owner.OTHER);
  }

  @Test
  void between_countsABusyThreadUnderItsOwner() throws Exception {
    ThreadCpu.Snapshot before = ThreadCpu.take();
    CountDownLatch spun = new CountDownLatch(1);
    Thread busy = Thread.ofPlatform().name("bench-busy").start(() -> {
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
      long x = 0;
      while (System.nanoTime() < end) {
        x += x * 31 + 1; // CPU, not sleep
      }
      spun.countDown();
      try {
        Thread.sleep(60_000); // alive for the second reading; interrupted below
      } catch (InterruptedException e) {
        // done
      }
    });
    assertThat(spun.await(60, TimeUnit.SECONDS)).isTrue();
    ThreadCpu.Usage usage = ThreadCpu.between(before, ThreadCpu.take());
    busy.interrupt();
    busy.join(TimeUnit.SECONDS.toMillis(60));
    assertThat(usage.nanos(ThreadCpu.Owner.CONSUMER)).isGreaterThan(0);
    assertThat(usage.consumerSideNanos()).isGreaterThanOrEqualTo(usage.nanos(ThreadCpu.Owner.CONSUMER));
    // each of the two process readings may be short by up to a tick
    assertThat(usage.processNanos())
        .isGreaterThanOrEqualTo(usage.nanos(ThreadCpu.Owner.CONSUMER) - 2 * TICK_NANOS);
  }
}
