package io.github.sqsconsumer;

/** The adaptive prefetch: how many permits beyond the handlers' own the flow control grants. */
final class Prefetch {
  /*
   * Adapting:
   *   To keep handlers busy, permits must cover what finishes during one receive round trip:
   *   prefetch = base x rtt / unit time (x 1.25, + one batch), kept within [min(batch, max), max]. A change
   *   under 5 % is ignored, so the flow control's limit does not flutter with every measurement.
   * Concurrency:
   *   Pollers report round trips, worker threads report unit times. Both times are moving averages written
   *   racily by many threads; a lost update only delays adaptation. The prefetch is read by gauges.
   */
  private volatile int base; // follows the adaptive concurrency limit
  private final int max;
  private final int batch;
  private final FlowControl flow;
  private volatile double rttNanos;
  private volatile double unitNanos;
  private volatile int current;

  /** {@code initial} is the prefetch {@code flow} was built with. */
  Prefetch(int base, int max, int batch, int initial, FlowControl flow) {
    this.base = base;
    this.max = max;
    this.batch = batch;
    this.current = initial;
    this.flow = flow;
  }

  int current() {
    return current;
  }

  /** The handlers' permits changed to {@code base} (adaptive concurrency): adapts the prefetch to them. */
  void base(int base) {
    this.base = base;
    adapt();
  }

  /** A receive that brought messages took {@code nanos}; adapts the prefetch to it. */
  void roundTrip(long nanos) {
    rttNanos = rttNanos == 0 ? nanos : rttNanos + 0.2 * (nanos - rttNanos);
    adapt();
  }

  /** A unit took {@code nanos} from the start of its handler to its settlement. */
  void unitTook(long nanos) {
    unitNanos = unitNanos == 0 ? nanos : unitNanos + 0.05 * (nanos - unitNanos);
  }

  private void adapt() {
    double rtt = rttNanos;
    double unit = unitNanos;
    if (rtt <= 0 || unit <= 0 || max == 0) {
      return;
    }
    double wanted = base * (rtt / unit) * 1.25 + batch;
    int next = (int) Math.min(max, Math.max(Math.min(batch, max), wanted));
    int previous = current;
    if (Math.abs(next - previous) > Math.max(1, previous / 20)) { // ignore changes under 5 %
      current = next;
      flow.prefetch(next);
    }
  }
}
