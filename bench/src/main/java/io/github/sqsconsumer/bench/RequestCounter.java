package io.github.sqsconsumer.bench;

import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageResponse;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * Counts the HTTP requests an {@code SqsAsyncClient} sends, by kind: every attempt, retries included, as
 * SQS would bill them, and the messages deleted (entries that succeeded). Register with
 * {@code overrideConfiguration(c -> c.addExecutionInterceptor(counter))}.
 * Thread-safe.
 */
final class RequestCounter implements ExecutionInterceptor {
  private final LongAdder total = new LongAdder();
  private final LongAdder receives = new LongAdder();
  private final LongAdder deletes = new LongAdder();
  private final LongAdder visibilityChanges = new LongAdder();
  private final LongAdder deleted = new LongAdder();

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    total.increment();
    Object request = context.request();
    if (request instanceof ReceiveMessageRequest) {
      receives.increment();
    } else if (request instanceof DeleteMessageBatchRequest || request instanceof DeleteMessageRequest) {
      deletes.increment();
    } else if (request instanceof ChangeMessageVisibilityBatchRequest
        || request instanceof ChangeMessageVisibilityRequest) {
      visibilityChanges.increment();
    }
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    Object response = context.response();
    if (response instanceof DeleteMessageBatchResponse batch) {
      deleted.add(batch.successful().size());
    } else if (response instanceof DeleteMessageResponse) {
      deleted.increment();
    }
  }

  /** Returns every request so far. */
  long total() {
    return total.sum();
  }

  long receives() {
    return receives.sum();
  }

  long deletes() {
    return deletes.sum();
  }

  long visibilityChanges() {
    return visibilityChanges.sum();
  }

  /** Returns the messages whose delete succeeded so far, by the server's replies. */
  long deleted() {
    return deleted.sum();
  }
}
