package io.github.sqsconsumer.bench;

/**
 * One thing a benchmark measures: a combination of the library's parts, or a baseline. A benchmark lists
 * the ones that apply to it in its {@code @Param}.
 */
public enum Candidate {
  /** Library: semaphore worker, batch harvester. */
  SEMAPHORE_BATCH(WorkerType.SEMAPHORE, HarvesterType.BATCH, null),
  /** Library: semaphore worker, direct harvester. */
  SEMAPHORE_DIRECT(WorkerType.SEMAPHORE, HarvesterType.DIRECT, null),
  /** Library: pool worker, batch harvester. */
  POOL_BATCH(WorkerType.POOL, HarvesterType.BATCH, null),
  /** Library: pool worker, direct harvester. */
  POOL_DIRECT(WorkerType.POOL, HarvesterType.DIRECT, null),
  /** Baseline, in-memory queue only. */
  PLAIN_THREAD_POOL(null, null, Baseline.PLAIN_THREAD_POOL),
  /** Baseline, in-memory queue only. */
  PLAIN_VIRTUAL_THREADS(null, null, Baseline.PLAIN_VIRTUAL_THREADS),
  /** Baseline, SQS only. */
  PLAIN_SDK(null, null, Baseline.PLAIN_SDK),
  /** Baseline, SQS only. */
  UNCAPPED_SDK(null, null, Baseline.UNCAPPED_SDK);

  private final WorkerType worker;
  private final HarvesterType harvester;
  private final Baseline baseline;

  Candidate(WorkerType worker, HarvesterType harvester, Baseline baseline) {
    this.worker = worker;
    this.harvester = harvester;
    this.baseline = baseline;
  }

  /** Returns the library combination's worker; null for a baseline. */
  WorkerType worker() {
    return worker;
  }

  /** Returns the library combination's harvester; null for a baseline. */
  HarvesterType harvester() {
    return harvester;
  }

  /** Returns the baseline; null for a library combination. */
  Baseline baseline() {
    return baseline;
  }

  boolean isLibrary() {
    return baseline == null;
  }

  /** Returns a short label for tables: {@code semaphore+batch}, {@code plain SDK}. */
  String label() {
    if (isLibrary()) {
      return worker.providerName() + "+" + harvester.providerName();
    }
    return switch (baseline) {
      case PLAIN_THREAD_POOL -> "plain thread pool";
      case PLAIN_VIRTUAL_THREADS -> "plain virtual threads";
      case PLAIN_SDK -> "plain SDK (baseline)";
      case UNCAPPED_SDK -> "uncapped SDK (ceiling)";
    };
  }
}
