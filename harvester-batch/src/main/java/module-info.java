/**
 * The batch harvester: acknowledges in DeleteMessageBatch requests of up to ten entries, and releases in
 * ChangeMessageVisibilityBatch requests, several in flight at once. Up to ten times fewer requests than
 * acknowledging one by one; choose it with the name {@code batch}.
 *
 * <h2>Settings</h2>
 * Given and checked as {@link io.github.sqsconsumer.Consumer.Builder#setting(String, String)} says.
 * <ul>
 *   <li>{@code batch.maxWait} (0 to 10 s; default 100 ms): the longest an entry waits for its batch to
 *       fill, measured from when the oldest pending entry arrived, not from the latest. An SQS request takes
 *       tens of milliseconds, so waiting 100 ms lets batches fill at moderate rates while the added delay
 *       stays far below any visibility timeout (the cost of waiting is only a longer window in which a
 *       crash would redeliver a finished message). 0 sends whatever is pending at once.</li>
 *   <li>{@code batch.maxInFlight} (1 to 1000; default concurrency / 2 rounded up, between 2 and 50): the most batch
 *       requests sent and not yet answered. At full speed {@code concurrency} outcomes arrive per handler
 *       time, that is {@code concurrency / 10} full batches; five times that keeps up while a request's
 *       round trip is up to five handler times, as it becomes when the machine is saturated or SQS is far.
 *       Below that, full batches wait for a free slot and the harvester's one flusher thread sends them all,
 *       woken by each answer, instead of the handlers that filled them. At least 2, so a full batch never
 *       waits behind a slow one; at most 50, the AWS SDK's default connection pool, beyond which requests
 *       only queue inside the SDK.</li>
 *   <li>{@code batch.bufferSize} (10 to 1000000; default 20 x maxInFlight): the most messages held, pending,
 *       in flight or waiting to retry. When full, acknowledge and release wait (backpressure). The default
 *       holds one full round of requests in flight and another one filling.</li>
 *   <li>{@code batch.maxAttempts} (1 to 100; default 5): how many times an entry failing transiently is
 *       sent before it is reported as failed. Backoff starts at 50 ms and doubles, with equal jitter, so
 *       five attempts span about a second: enough to ride out a throttling burst, short against a
 *       visibility timeout.</li>
 * </ul>
 *
 * @provides io.github.sqsconsumer.spi.HarvesterProvider
 *     {@link io.github.sqsconsumer.harvester.batch.BatchHarvesterProvider}, named {@code batch}
 */
module io.github.sqsconsumer.harvester.batch {
  requires io.github.sqsconsumer;
  requires org.slf4j;

  provides io.github.sqsconsumer.spi.HarvesterProvider
      with io.github.sqsconsumer.harvester.batch.BatchHarvesterProvider;
}
