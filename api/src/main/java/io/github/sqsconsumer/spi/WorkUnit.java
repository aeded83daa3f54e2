package io.github.sqsconsumer.spi;

import io.github.sqsconsumer.Message;
import java.util.List;

/**
 * One unit of work: one message, or one batch in batch-handler mode.
 *
 * <p>{@link #run()} invokes the handler and reports the outcome of every message in the unit; it catches
 * everything the handler throws, so it returns normally (a worker still guards against a throw). A worker
 * runs each accepted unit exactly once, or hands it back from {@link Worker#shutdown} unstarted.
 */
public interface WorkUnit extends Runnable {

  /** {@return the messages of this unit, at least one; never null, unmodifiable} */
  List<Message> messages();
}
