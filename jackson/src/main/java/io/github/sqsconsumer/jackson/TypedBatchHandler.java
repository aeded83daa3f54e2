package io.github.sqsconsumer.jackson;

import io.github.sqsconsumer.BatchHandler;
import io.github.sqsconsumer.BatchResult;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.PermanentFailureException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link BatchHandler} that reads each body as {@code T}, hands the messages that read to the user's
 * handler, and reports every message's outcome in one result. Thread-safe if its handler is.
 *
 * <p>Outcomes: a body that does not read fails (or is discarded) alone, so one bad body never fails its
 * batch. An exception of the user's batch handler fails the messages it was given, each with that
 * exception, and leaves the others' outcomes as they are. An {@link Error} propagates and fails the whole
 * batch. On a FIFO queue a message that will come back (a retried body, a failure of code) holds back the
 * rest of its group: the later messages are not read or handed on, and are reported as failed.
 */
final class TypedBatchHandler<T> implements BatchHandler {
  private final BodyReader<T> reader;
  private final JsonBatchHandler<T> handler;

  TypedBatchHandler(BodyReader<T> reader, JsonBatchHandler<T> handler) {
    this.reader = reader;
    this.handler = handler;
  }

  @Override
  public BatchResult handle(List<Message> messages) throws Exception {
    BatchResult.Builder result = BatchResult.builder();
    List<JsonMessage<T>> typed = new ArrayList<>(messages.size());
    Map<String, Throwable> heldBack = null; // FIFO: the groups in which a message will come back, and why
    for (Message message : messages) {
      String group = message.groupId().orElse(null); // a FIFO queue's messages all have one
      Throwable held = heldBack == null || group == null ? null : heldBack.get(group);
      if (held != null) {
        result.failed(message, held);
        continue;
      }
      Throwable failure;
      try {
        typed.add(reader.read(message));
        continue;
      } catch (UnparsableBodyException e) {
        failure = reader.settle(e, message);
      } catch (Exception e) {
        failure = e;
      }
      result.failed(message, failure);
      if (group != null && !(failure instanceof PermanentFailureException)) {
        if (heldBack == null) {
          heldBack = new HashMap<>();
        }
        heldBack.put(group, new IllegalStateException("not handled: message " + message.id()
            + " before it in its FIFO group failed"));
      }
    }
    if (typed.isEmpty()) {
      return result.build();
    }
    BatchResult outcome;
    try {
      outcome = handler.handle(Collections.unmodifiableList(typed));
      if (outcome == null) {
        throw new NullPointerException("the batch handler returned null instead of a BatchResult");
      }
    } catch (Exception e) {
      typed.forEach(m -> result.failed(m.message(), e));
      return result.build();
    }
    for (JsonMessage<T> m : typed) {
      outcome.failureOf(m.message()).ifPresent(failure -> result.failed(m.message(), failure));
    }
    if (!outcome.failures().isEmpty()) {
      // failures naming no message of the batch: passed on, for the consumer to match by id or fail the batch
      for (Map.Entry<Message, Throwable> entry : outcome.failures().entrySet()) {
        if (!messages.contains(entry.getKey())) {
          result.failed(entry.getKey(), entry.getValue());
        }
      }
    }
    return result.build();
  }
}
