package io.github.sqsconsumer.spi;

import java.util.Map;

/**
 * The answer to a batch request: which entries failed, by their position in the request.
 *
 * @param failures failed entries by position; never null, empty when all succeeded
 */
public record BatchReply(Map<Integer, QueueException> failures) {
  private static final BatchReply OK = new BatchReply(Map.of());

  /** Copies the map. */
  public BatchReply {
    failures = Map.copyOf(failures);
  }

  /** {@return the reply in which every entry succeeded; never null, one shared instance} */
  public static BatchReply ok() {
    return OK;
  }

  /** {@return true if every entry succeeded} */
  public boolean allSucceeded() {
    return failures.isEmpty();
  }
}
