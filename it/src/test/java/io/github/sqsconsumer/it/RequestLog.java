package io.github.sqsconsumer.it;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;

/**
 * Watches an {@code SqsAsyncClient} from the inside, the only place a test can see what the consumer sends:
 * counts requests by operation, checks each delete as it is sent, and records the receipt handle of every
 * delete the server accepted, so a test can check that nothing was deleted before its handler succeeded;
 * also when each attempt was sent and how often each receipt handle was sent for deletion.
 *
 * <p>Counts are of HTTP attempts (an SDK retry counts again: the server saw it). Thread-safe: the SDK
 * calls it from its event-loop threads.
 */
final class RequestLog implements ExecutionInterceptor {
  static final String RECEIVE = "ReceiveMessage";
  static final String DELETE = "DeleteMessage";
  static final String DELETE_BATCH = "DeleteMessageBatch";
  static final String CHANGE_VISIBILITY = "ChangeMessageVisibility";
  static final String CHANGE_VISIBILITY_BATCH = "ChangeMessageVisibilityBatch";
  /** The calls a consumer makes per message; setup calls (GetQueueAttributes, ...) are not among them. */
  private static final Set<String> CONSUMING = Set.of(RECEIVE, DELETE, DELETE_BATCH, CHANGE_VISIBILITY,
      CHANGE_VISIBILITY_BATCH);

  private final Map<String, LongAdder> attempts = new ConcurrentHashMap<>();
  private final Set<String> early = ConcurrentHashMap.newKeySet();
  private volatile Predicate<String> deletable = receiptHandle -> true;
  private final Set<String> deletedReceipts = ConcurrentHashMap.newKeySet();
  private final LongAdder deletes = new LongAdder();
  private final Map<String, Queue<Long>> sentNanos = new ConcurrentHashMap<>(); // operation -> nanoTime of each attempt
  private final Map<String, LongAdder> deleteEntriesSent = new ConcurrentHashMap<>(); // receipt handle -> attempts

  /**
   * Checks every delete as it is sent: a receipt handle this predicate refuses then (its handler has not
   * succeeded yet) is recorded as {@linkplain #earlyDeletes() early}.
   */
  RequestLog checkDeletes(Predicate<String> deletable) {
    this.deletable = deletable;
    return this;
  }

  /** Returns the receipt handles sent for deletion before the predicate allowed it; a snapshot. */
  Set<String> earlyDeletes() {
    return Set.copyOf(early);
  }

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    if (context.request() instanceof DeleteMessageRequest request) {
      check(request.receiptHandle());
    } else if (context.request() instanceof DeleteMessageBatchRequest request) {
      request.entries().forEach(entry -> check(entry.receiptHandle()));
    }
  }

  private void check(String receiptHandle) {
    if (!deletable.test(receiptHandle)) {
      early.add(receiptHandle);
    }
  }

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    sentNanos.computeIfAbsent(operation, k -> new ConcurrentLinkedQueue<>()).add(System.nanoTime());
    attempts.computeIfAbsent(operation, k -> new LongAdder()).increment();
    if (context.request() instanceof DeleteMessageRequest request) {
      deleteEntrySent(request.receiptHandle());
    } else if (context.request() instanceof DeleteMessageBatchRequest request) {
      request.entries().forEach(entry -> deleteEntrySent(entry.receiptHandle()));
    }
  }

  private void deleteEntrySent(String receiptHandle) {
    deleteEntriesSent.computeIfAbsent(receiptHandle, k -> new LongAdder()).increment();
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    if (context.request() instanceof DeleteMessageRequest request) {
      deleted(request.receiptHandle());
    } else if (context.request() instanceof DeleteMessageBatchRequest request
        && context.response() instanceof DeleteMessageBatchResponse response) {
      Map<String, String> receiptById = new TreeMap<>();
      for (DeleteMessageBatchRequestEntry entry : request.entries()) {
        receiptById.put(entry.id(), entry.receiptHandle());
      }
      for (DeleteMessageBatchResultEntry ok : response.successful()) {
        deleted(receiptById.get(ok.id()));
      }
    }
  }

  private void deleted(String receiptHandle) {
    deletes.increment();
    deletedReceipts.add(receiptHandle);
  }

  /** Returns the attempts of this operation (such as {@link #DELETE_BATCH}) so far. */
  long count(String operation) {
    LongAdder adder = attempts.get(operation);
    return adder == null ? 0 : adder.sum();
  }

  /** Returns the attempts of the operations a consumer makes per message (receive, delete, visibility). */
  long consumingRequests() {
    return CONSUMING.stream().mapToLong(this::count).sum();
  }

  /** Returns when each attempt of this operation was sent ({@link System#nanoTime()}), in order; a snapshot. */
  List<Long> sentAt(String operation) {
    Queue<Long> times = sentNanos.get(operation);
    return times == null ? List.of() : List.copyOf(times);
  }

  /** Returns how many times a delete of this receipt handle was sent, single or as a batch entry. */
  long deleteAttempts(String receiptHandle) {
    LongAdder adder = deleteEntriesSent.get(receiptHandle);
    return adder == null ? 0 : adder.sum();
  }

  /** Returns how many deletes were sent in all, single or as batch entries (each attempt counts). */
  long deleteEntriesSent() {
    return deleteEntriesSent.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Returns how many deletes the server accepted, single or as batch entries. */
  long deletes() {
    return deletes.sum();
  }

  /** Returns the receipt handles of all accepted deletes; a snapshot. */
  Set<String> deletedReceipts() {
    return Set.copyOf(deletedReceipts);
  }

  /** Returns the attempts by operation, for printing; a snapshot. */
  Map<String, Long> snapshot() {
    Map<String, Long> result = new TreeMap<>();
    attempts.forEach((operation, adder) -> result.put(operation, adder.sum()));
    return result;
  }
}
