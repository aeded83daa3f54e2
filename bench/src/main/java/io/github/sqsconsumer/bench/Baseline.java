package io.github.sqsconsumer.bench;

/** The hand-written consumers the library is measured against; none uses the library. */
public enum Baseline {
  /** In-memory queue: a few receive loops, a Semaphore(concurrency), a fixed ThreadPoolExecutor, batched deletes. */
  PLAIN_THREAD_POOL,
  /** In-memory queue: the same loops with a virtual thread per message instead of the pool. */
  PLAIN_VIRTUAL_THREADS,
  /** SQS: what a careful user writes with the SDK ({@link PlainSdkConsumer}). */
  PLAIN_SDK,
  /** SQS: no concurrency limit at all, what machine and server can do ({@link UncappedSdkConsumer}). */
  UNCAPPED_SDK
}
