package io.github.sqsconsumer.spi;

/** What a harvester is created with. Thread-safe. */
public interface HarvesterContext extends PartContext {

  /** {@return the port to delete messages and change their visibility through; never null} */
  QueuePort port();

  /** {@return where to report what became of each message; never null} */
  HarvesterCallback callback();

  /**
   * {@return the consumer's concurrency, a hint for sizing buffers: at full speed about this many outcomes
   * arrive per handler time}
   */
  int concurrency();
}
