package io.github.sqsconsumer;

/**
 * The adaptive concurrency algorithm: from each finished unit's handler time and whether it failed with the
 * user's "downstream overloaded" signal, the limit of units running at once, between a minimum and a maximum.
 * Pure and deterministic: no clock, no threads; not thread-safe (its owner, {@link AdaptiveLimit}, calls it
 * under its lock).
 */
final class ConcurrencyLimiter {
  /*
   * Algorithm (AIMD on a latency band, with slow start; in the spirit of TCP Vegas and Netflix's
   * concurrency-limits, chosen over a pure gradient because a band gives the limit a place to rest):
   *   Samples are taken in rounds of max(MIN_ROUND, 2 x limit) units: about two handler times when the
   *   limit is used. A round's latency is the median handler time of its samples: a stall of the whole
   *   process (a GC pause, a starved CPU) that slows every call of one handler time moves a mean, not the
   *   median of two. The baseline is the normal latency: rounds within BASELINE_BAND above it (and any
   *   below) move it by BASELINE_WEIGHT, so it averages healthy rounds instead of sitting at the lowest one;
   *   slower rounds do not move it (they would ratchet the limit up into the congestion they measure),
   *   except at the minimum limit, where a downstream that became slower for good becomes the new normal.
   *   At the end of a round, with r = median / baseline:
   *     - an overload signal in the round: limit x OVERLOAD_DECREASE (the downstream refuses: it is past
   *       its capacity by far);
   *     - r > 1 + TOLERANCE in two rounds in a row (calls queue downstream; one slow round may be a stall):
   *       limit x max(LATENCY_DECREASE, sqrt((1 + HOLD) / r)), with the lower r of the two;
   *     - r <= 1 + HOLD and the limit was used (the most units running in the round reached half of it):
   *       limit + max(1, limit x GROWTH), a quarter of that within one step of the limit of the last
   *       decrease, where the knee was (as CUBIC probes slowly near its last loss);
   *     - otherwise hold: the band (1 + HOLD, 1 + TOLERANCE] is where the limit rests, at the knee of the
   *       latency curve, instead of oscillating around it.
   *   After a decrease the next round decides nothing: its samples began under the old limit.
   *   Slow start: until the first round that is not healthy, every sample that found the limit used and took
   *   no longer than (1 + TOLERANCE) x baseline adds one, so the limit doubles per handler time (as TCP's
   *   window does per round trip) and a consumer reaches the downstream's capacity within a few of them.
   *   [min <= limit <= max] after every sample.
   * Jitter:
   *   With latency jitter of +-30 % (uniform) the median of a round of 30 samples stays within +-5 % (one
   *   standard deviation) of the true median, and the baseline, an average of healthy rounds, within 1-2 %:
   *   a healthy round reads r ~ 1 +- 0.05, three deviations from 1 + TOLERANCE, and a decrease needs two
   *   such rounds in a row.
   */
  /** Samples per round at least, so that a round's median is steady at small limits. */
  static final int MIN_ROUND = 30;
  /** Rounds whose median stays within this share above the baseline (+5 %) let the limit grow. */
  static final double HOLD = 0.05;
  /** Rounds whose median exceeds the baseline by more than this share (+15 %) lower the limit. */
  static final double TOLERANCE = 0.15;
  /** The lowest factor of the limit after slow rounds: latency alone lowers it step by step. */
  static final double LATENCY_DECREASE = 0.8;
  /** The factor of the limit after a round with an overload signal. */
  static final double OVERLOAD_DECREASE = 0.7;
  /** The most the limit grows in one round, as a share of itself (at least one unit). */
  static final double GROWTH = 0.05;
  /** Rounds within this share above the baseline (+5 %) move it; those beyond are not the normal. */
  static final double BASELINE_BAND = 0.05;
  /** The weight of such a round's mean in the baseline: an average of about the last ten of them. */
  static final double BASELINE_WEIGHT = 0.1;

  private final int min;
  private final int max;
  private double estimate;
  private boolean slowStart = true;
  private double baseline; // nanos; 0 until the first round ended
  private double lastDecreaseFrom; // the limit before the last decrease; 0 before any
  private boolean settling; // the round after a decrease: its samples began before it, so it decides nothing
  private boolean slowRound; // the last round was beyond the tolerance: a second one in a row decreases
  private double slowRatio; // that round's ratio

  private final long[] times; // the round's handler times, for its median
  private int roundSize;
  private int samples;
  private int timed;
  private int overloads;
  private int mostInFlight;

  /** A limit between {@code min} and {@code max} (1 <= min <= max), starting at {@code min}. */
  ConcurrencyLimiter(int min, int max) {
    this.min = min;
    this.max = max;
    this.estimate = min;
    this.roundSize = roundSize(min);
    this.times = new long[roundSize(max)];
  }

  /** Two handler times' worth of samples at the limit, at least MIN_ROUND. */
  private static int roundSize(int limit) {
    return Math.max(MIN_ROUND, 2 * limit);
  }

  /** Returns the current limit. */
  int limit() {
    return (int) estimate;
  }

  /** Whether the limiter still doubles per round (no unhealthy round yet). */
  boolean slowStart() {
    return slowStart;
  }

  /** Returns the baseline latency in nanoseconds, zero before the first round ended. */
  double baselineNanos() {
    return baseline;
  }

  /**
   * Takes one finished unit and returns the limit after it.
   *
   * @param nanos the unit's handler time
   * @param overloaded whether it failed with the overload signal
   * @param inFlight units running when it finished, itself included
   */
  int sample(long nanos, boolean overloaded, int inFlight) {
    samples++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    if (overloaded) {
      overloads++; // its time says nothing of the downstream's latency (a refusal is quick)
    } else {
      times[timed++] = nanos;
      if (slowStart && 2 * inFlight >= limit() && (baseline == 0 || nanos <= (1 + TOLERANCE) * baseline)) {
        estimate = Math.min(max, estimate + 1);
      }
    }
    if (samples >= roundSize) {
      endRound();
    }
    return limit();
  }

  /** The median of the first {@code n} values (quickselect; reorders them). */
  static double median(long[] values, int n) {
    int k = n / 2;
    int lo = 0;
    int hi = n - 1;
    while (lo < hi) {
      long pivot = values[(lo + hi) >>> 1];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (values[i] < pivot) {
          i++;
        }
        while (values[j] > pivot) {
          j--;
        }
        if (i <= j) {
          long t = values[i];
          values[i] = values[j];
          values[j] = t;
          i++;
          j--;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        break;
      }
    }
    return values[k];
  }

  private void decrease(double factor) {
    slowRound = false;
    lastDecreaseFrom = estimate;
    estimate = estimate * factor;
    slowStart = false;
    settling = true;
  }

  /** One round's growth: a step, or a quarter step near the limit of the last decrease. */
  private double growth() {
    double step = Math.max(1, estimate * GROWTH);
    boolean near = Math.abs(estimate - lastDecreaseFrom) < step;
    return near ? step / 4 : step;
  }

  private void endRound() {
    double median = timed == 0 ? 0 : median(times, timed);
    if (median > 0) {
      if (baseline == 0) {
        baseline = median;
      } else if (median <= (1 + BASELINE_BAND) * baseline || limit() == min) {
        // healthy rounds pull it both ways; at the minimum, whatever it sees there becomes the normal
        baseline += BASELINE_WEIGHT * (median - baseline);
      }
    }
    double ratio = median > 0 ? median / baseline : 1;
    if (settling) {
      settling = false;
    } else if (overloads > 0) {
      decrease(OVERLOAD_DECREASE);
    } else if (ratio > 1 + TOLERANCE) {
      if (slowRound) {
        // the lower of the two rounds: a stall that made one of them very slow says nothing of the downstream
        decrease(Math.max(LATENCY_DECREASE, Math.sqrt((1 + HOLD) / Math.min(ratio, slowRatio))));
      } else {
        slowRound = true; // one slow round may be a stall of the whole process (a GC pause): wait for a second
        slowRatio = ratio;
        slowStart = false;
      }
    } else if (ratio > 1 + HOLD) {
      slowStart = false; // hold
    } else if (!slowStart && 2 * mostInFlight >= limit()) {
      estimate = estimate + growth();
    }
    if (ratio <= 1 + TOLERANCE || overloads > 0) {
      slowRound = false;
    }
    estimate = Math.clamp(estimate, min, max); // [min <= limit <= max]
    roundSize = roundSize(limit());
    samples = 0;
    timed = 0;
    overloads = 0;
    mostInFlight = 0;
  }
}
