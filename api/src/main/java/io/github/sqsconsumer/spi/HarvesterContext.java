package io.github.sqsconsumer.spi;

/** What a harvester is created with. Thread-safe. */
public interface HarvesterContext extends PartContext {

  /** {@return the port to delete messages and change their visibility through; never null} */
  QueuePort port();

  /** {@return where to report what became of each message; never null} */
  HarvesterCallback callback();

  /**
   * {@return a hint for sizing buffers: at full speed about this many outcomes arrive per handler time; the
   * consumer's concurrency, times the batch size with a batch handler (whose concurrency counts batches),
   * at most 10,000}
   */
  int concurrency();
}
