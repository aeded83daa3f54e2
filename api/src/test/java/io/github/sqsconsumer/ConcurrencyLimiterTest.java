package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The limiter driven by synthetic samples, deterministic (seeded jitter, virtual time): no threads, no clock.
 */
final class ConcurrencyLimiterTest {
  private static final long MS = 1_000_000;

  /** Feeds {@code rounds} x 100 samples of {@code latency} +- {@code jitter}, each finding the limit used. */
  private static List<Integer> drive(ConcurrencyLimiter limiter, int samples, double jitter, long seed) {
    Random random = new Random(seed);
    List<Integer> limits = new ArrayList<>();
    for (int i = 0; i < samples; i++) {
      long nanos = (long) (50 * MS * (1 + jitter * (2 * random.nextDouble() - 1)));
      limits.add(limiter.sample(nanos, false, limiter.limit()));
    }
    return limits;
  }

  @Test
  void sample_healthyDownstream_reachesTheMaximumAndStays() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(1, 100);
    List<Integer> limits = drive(limiter, 20_000, 0, 1);
    int reached = limits.indexOf(100);
    assertThat(reached).as("slow start reaches the maximum within a few hundred samples").isBetween(0, 400);
    assertThat(limits.subList(reached, limits.size())).as("and never leaves it").containsOnly(100);
  }

  @Test
  void sample_jitterOfThirtyPercent_doesNotCollapse() {
    for (long seed = 1; seed <= 5; seed++) {
      ConcurrencyLimiter limiter = new ConcurrencyLimiter(1, 100);
      List<Integer> limits = drive(limiter, 50_000, 0.3, seed);
      List<Integer> settled = limits.subList(2_000, limits.size());
      assertThat(settled.stream().mapToInt(Integer::intValue).min().orElseThrow())
          .as("seed %d: the lowest limit once settled", seed).isGreaterThanOrEqualTo(90);
      assertThat(limits.get(limits.size() - 1)).as("seed %d: the last limit", seed).isEqualTo(100);
    }
  }

  /** Feeds samples until the limit changes; returns the new limit. */
  private static int untilChange(ConcurrencyLimiter limiter, long nanos, boolean overloaded) {
    int before = limiter.limit();
    for (int i = 0; i < 10_000; i++) {
      int limit = limiter.sample(nanos, overloaded, limiter.limit());
      if (limit != before) {
        return limit;
      }
    }
    return before;
  }

  @Test
  void sample_overloadSignal_decreasesByThirtyPercentPerRound() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(1, 100);
    drive(limiter, 5_000, 0, 1);
    assertThat(limiter.limit()).isEqualTo(100);
    assertThat(untilChange(limiter, MS, true)).as("the round with an overload").isEqualTo(70);
    assertThat(limiter.slowStart()).isFalse();
    for (int i = 0; i < 140; i++) { // a round: two handler times' worth of samples at 70
      assertThat(limiter.sample(MS, true, 70)).as("the round after a decrease decides nothing").isEqualTo(70);
    }
    assertThat(untilChange(limiter, MS, true)).isEqualTo(49);
  }

  @Test
  void sample_latencyGrowsBeyondTolerance_decreasesByAtMostTwentyPercentAtATime() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(1, 100);
    drive(limiter, 5_000, 0, 1);
    int previous = limiter.limit();
    for (int i = 0; i < 6; i++) {
      int next = untilChange(limiter, 200 * MS, false); // four times the baseline
      assertThat(next).isLessThan(previous).isGreaterThanOrEqualTo((int) (previous * 0.8));
      previous = next;
    }
    assertThat(previous).as("after six decreases").isLessThan(30);
  }

  /** A stall of the whole process that slows fewer than half of a round's calls moves no median. */
  @Test
  void sample_stallOfUnderHalfARound_noDecrease() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(1, 100);
    drive(limiter, 5_000, 0, 1);
    for (int round = 0; round < 10; round++) {
      for (int i = 0; i < 90; i++) { // rounds of 200 at limit 100
        assertThat(limiter.sample(200 * MS, false, 100)).isEqualTo(100);
      }
      for (int i = 0; i < 400; i++) {
        assertThat(limiter.sample(50 * MS, false, 100)).isEqualTo(100);
      }
    }
  }

  @Test
  void sample_latencyWithinTheBand_holds() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(10, 100);
    for (int i = 0; i < 30; i++) {
      limiter.sample(50 * MS, false, 1); // the limit is not used: no slow start, no growth
    }
    assertThat(limiter.limit()).isEqualTo(10);
    assertThat(limiter.baselineNanos()).isEqualTo(50.0 * MS);
    List<Integer> limits = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      limits.add(limiter.sample(55 * MS, false, limiter.limit())); // +10 %: inside (5 %, 15 %]
    }
    assertThat(limiter.slowStart()).isFalse();
    assertThat(limits.subList(100, limits.size())).as("held").containsOnly(limiter.limit());
  }

  @Test
  void sample_boundsHold_neverAboveMaxNorBelowMin() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(5, 40);
    Random random = new Random(7);
    for (int i = 0; i < 100_000; i++) {
      int limit = limiter.sample(random.nextInt(1, 500) * MS, random.nextInt(10) == 0, random.nextInt(0, 41));
      assertThat(limit).isBetween(5, 40);
    }
  }

  @Test
  void sample_appLimited_doesNotGrow() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(4, 100);
    for (int i = 0; i < 10_000; i++) {
      limiter.sample(50 * MS, false, 1); // one unit at a time: the limit is never tested
    }
    assertThat(limiter.limit()).isEqualTo(4);
  }

  /**
   * A closed loop in virtual time against a downstream with capacity N (latency x (c/N)^2 above it, throttled
   * beyond 2N) whose N moves 20 -> 60 -> 10: the limit follows it, settling near N in each phase.
   */
  @Test
  void sample_capacityMoves_limitFollows() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(1, 100);
    int[] capacities = {20, 60, 10};
    double[] averages = new double[3];
    Random random = new Random(3);
    PriorityQueue<double[]> calls = new PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
    double now = 0;
    int running = 0;
    int downstream = 0;
    int limit = limiter.limit();
    double[] limitTime = new double[3];
    while (now < 90) {
      int phase = (int) (now / 30);
      int capacity = capacities[phase];
      while (running < limit) {
        running++;
        if (downstream + 1 > 2 * capacity) {
          calls.add(new double[] {now + 0.001, 1, now});
        } else {
          downstream++;
          double x = Math.max(1, (double) downstream / capacity);
          calls.add(new double[] {now + 0.05 * x * x * (1 + 0.3 * (2 * random.nextDouble() - 1)), 0, now});
        }
      }
      double[] call = calls.poll();
      if (now >= 10 + 30 * phase) { // the last 20 s of each phase
        limitTime[phase] += limit * (call[0] - now);
      }
      now = call[0];
      boolean throttled = call[1] == 1;
      if (!throttled) {
        downstream--;
      }
      limit = limiter.sample((long) ((call[0] - call[2]) * 1e9), throttled, running);
      running--;
    }
    for (int phase = 0; phase < 3; phase++) {
      averages[phase] = limitTime[phase] / 20;
    }
    assertThat(averages[0]).as("N = 20").isBetween(17.0, 23.0);
    assertThat(averages[1]).as("N = 60").isBetween(51.0, 69.0);
    assertThat(averages[2]).as("N = 10").isBetween(8.5, 13.0);
  }
}
