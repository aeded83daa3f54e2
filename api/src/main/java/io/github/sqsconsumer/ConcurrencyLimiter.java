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
   *   Samples are taken in rounds of max(MIN_ROUND, limit) units: about one handler time when the limit is
   *   used. A round's latency is the mean handler time of its samples, each clipped at CLIP x baseline, so
   *   that one straggler does not read as congestion. The baseline is the lowest round mean seen: a round
   *   mean, not a single sample, since a minimum over samples would sit at the bottom of the jitter and every
   *   round would then look congested. It never rises while the limit can still go lower (a rising baseline
   *   would ratchet the limit up into the congestion it measures); at the minimum it moves BASELINE_DRIFT of
   *   the way to each round's mean, so a downstream that became slower for good is taken as the new normal.
   *   At the end of a round, with r = mean / baseline:
   *     - an overload signal in the round: limit x OVERLOAD_DECREASE (the downstream refuses: it is past
   *       its capacity by far);
   *     - r > 1 + TOLERANCE (calls queue downstream): limit x max(1/2, sqrt((1 + HOLD) / r)), gentle just
   *       past the band, halving when latency has grown several times;
   *     - r <= 1 + HOLD and the limit was used (the most units running in the round reached half of it):
   *       limit + max(1, limit x GROWTH), a quarter of that within one step of the limit of the last
   *       decrease, where the knee was (as CUBIC probes slowly near its last loss);
   *     - otherwise hold: the band (1 + HOLD, 1 + TOLERANCE] is where the limit rests, at the knee of the
   *       latency curve, instead of oscillating around it.
   *   After a decrease the next round decides nothing: its samples began under the old limit.
   *   Slow start: until the first decrease or hold, every sample that found the limit used and took no
   *   longer than (1 + TOLERANCE) x baseline adds one, so the limit doubles per round (as TCP's window does
   *   per round trip) and a consumer reaches the downstream's capacity within a few handler times.
   *   [min <= limit <= max] after every sample.
   * Jitter:
   *   With latency jitter of +-30 % (uniform), a round of 30 samples has a mean within +-3 % (one standard
   *   deviation); the baseline, the lowest of such means, sits up to ~8 % below the true mean, so a healthy
   *   round reads r ~ 1.05-1.08: inside the band for increase, 4 deviations from 1 + TOLERANCE.
   */
  /** Samples per round at least, so that a round's mean is steady at small limits. */
  static final int MIN_ROUND = 30;
  /** Rounds whose mean stays within this share above the baseline (+10 %) let the limit grow. */
  static final double HOLD = 0.1;
  /** Rounds whose mean exceeds the baseline by more than this share (+20 %) lower the limit. */
  static final double TOLERANCE = 0.2;
  /** The factor of the limit after a round with an overload signal. */
  static final double OVERLOAD_DECREASE = 0.7;
  /** The most the limit grows in one round, as a share of itself (at least one unit). */
  static final double GROWTH = 0.05;
  /** How far above the baseline one sample counts at most in a round's mean. */
  static final double CLIP = 3;
  /** At the minimum limit, the share of the gap to a higher round mean by which the baseline rises. */
  static final double BASELINE_DRIFT = 0.1;

  private final int min;
  private final int max;
  private double estimate;
  private boolean slowStart = true;
  private double baseline; // nanos; 0 until the first round ended
  private double lastDecreaseFrom; // the limit before the last decrease; 0 before any
  private boolean settling; // the round after a decrease: its samples began before it, so it decides nothing

  private int roundSize;
  private int samples;
  private int timed;
  private double sumNanos;
  private int overloads;
  private int mostInFlight;

  /** A limit between {@code min} and {@code max} (1 <= min <= max), starting at {@code min}. */
  ConcurrencyLimiter(int min, int max) {
    this.min = min;
    this.max = max;
    this.estimate = min;
    this.roundSize = Math.max(MIN_ROUND, min);
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
      timed++;
      sumNanos += baseline == 0 ? nanos : Math.min(nanos, CLIP * baseline);
      if (slowStart && 2 * inFlight >= limit() && (baseline == 0 || nanos <= (1 + TOLERANCE) * baseline)) {
        estimate = Math.min(max, estimate + 1);
      }
    }
    if (samples >= roundSize) {
      endRound();
    }
    return limit();
  }

  private void decrease(double factor) {
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
    double mean = timed == 0 ? 0 : sumNanos / timed;
    if (mean > 0) {
      if (baseline == 0 || mean < baseline) {
        baseline = mean;
      } else if (limit() == min) { // cannot go lower: what it sees there becomes the normal, slowly
        baseline += BASELINE_DRIFT * (mean - baseline);
      }
    }
    double ratio = mean > 0 ? mean / baseline : 1;
    if (settling) {
      settling = false;
    } else if (overloads > 0) {
      decrease(OVERLOAD_DECREASE);
    } else if (ratio > 1 + TOLERANCE) {
      decrease(Math.max(0.5, Math.sqrt((1 + HOLD) / ratio)));
    } else if (ratio > 1 + HOLD) {
      slowStart = false; // hold
    } else if (!slowStart && 2 * mostInFlight >= limit()) {
      estimate = estimate + growth();
    }
    estimate = Math.clamp(estimate, min, max); // [min <= limit <= max]
    roundSize = Math.max(MIN_ROUND, limit());
    samples = 0;
    timed = 0;
    sumNanos = 0;
    overloads = 0;
    mostInFlight = 0;
  }
}
