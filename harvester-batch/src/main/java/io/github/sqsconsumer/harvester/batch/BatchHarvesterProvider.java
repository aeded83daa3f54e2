package io.github.sqsconsumer.harvester.batch;

import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.HarvesterContext;
import io.github.sqsconsumer.spi.HarvesterProvider;
import io.github.sqsconsumer.spi.Settings;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Provides the batch harvester, named {@code batch}: acknowledgements go out in DeleteMessageBatch requests
 * and releases in ChangeMessageVisibilityBatch requests of up to ten entries, as soon as ten are ready or
 * when the oldest pending entry has waited {@code batch.maxWait}. Several requests are in flight at once,
 * so acknowledging keeps up with the handlers at high throughput. Transient failures, of whole requests or
 * single entries, are retried with exponential backoff and jitter; invalid receipt handles are reported at
 * once.
 *
 * <p>Settings (see {@link Settings}), checked by {@link #validate} at {@code build()}:
 * <ul>
 *   <li>{@code batch.maxWait} (0 to 10 s; default 100 ms): the longest an entry waits for its batch to
 *       fill, measured from when the oldest pending entry arrived, not from the latest. An SQS request takes
 *       tens of milliseconds, so waiting 100 ms lets batches fill at moderate rates while the added delay
 *       stays far below any visibility timeout (the cost of waiting is only a longer window in which a
 *       crash would redeliver a finished message). 0 sends whatever is pending at once.</li>
 *   <li>{@code batch.maxInFlight} (1 to 1000; default concurrency / 5, between 2 and 50): the most batch
 *       requests sent and not yet answered. At full speed {@code concurrency} outcomes arrive per handler
 *       time, that is {@code concurrency / 10} full batches; twice that keeps up with handlers as fast as a
 *       request round trip. At least 2, so a full batch never waits behind a slow one; at most 50, the AWS
 *       SDK's default connection pool, beyond which requests only queue inside the SDK.</li>
 *   <li>{@code batch.bufferSize} (10 to 1000000; default 20 x maxInFlight): the most messages held, pending,
 *       in flight or waiting to retry. When full, acknowledge and release wait (backpressure). The default
 *       holds one full round of requests in flight and another one filling.</li>
 *   <li>{@code batch.maxAttempts} (1 to 100; default 5): how many times an entry failing transiently is
 *       sent before it is reported as failed. Backoff starts at 50 ms and doubles, so five attempts span
 *       about a second: enough to ride out a throttling burst, short against a visibility timeout.</li>
 * </ul>
 *
 * <p>Thread-safe; the constructor does nothing.
 */
public final class BatchHarvesterProvider implements HarvesterProvider {
  static final String MAX_WAIT = "batch.maxWait";
  static final String MAX_IN_FLIGHT = "batch.maxInFlight";
  static final String BUFFER_SIZE = "batch.bufferSize";
  static final String MAX_ATTEMPTS = "batch.maxAttempts";

  /** See the class Javadoc for each reason. */
  static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(100);
  static final int MIN_DEFAULT_IN_FLIGHT = 2;
  static final int MAX_DEFAULT_IN_FLIGHT = 50;
  static final int DEFAULT_MAX_ATTEMPTS = 5;

  /** Does nothing; {@link #create} does the work. */
  public BatchHarvesterProvider() {}

  /** Returns {@code batch}. */
  @Override
  public String name() {
    return "batch";
  }

  /** Returns the four {@code batch.*} keys above. */
  @Override
  public Set<String> settingKeys() {
    return Set.of(MAX_WAIT, MAX_IN_FLIGHT, BUFFER_SIZE, MAX_ATTEMPTS);
  }

  /**
   * Reads and checks the settings; creates nothing and uses neither the port nor the callback.
   *
   * @throws IllegalArgumentException if a setting is invalid, naming the key, the range and the value
   */
  @Override
  public void validate(HarvesterContext context) {
    Objects.requireNonNull(context, "context");
    config(context.settings(), context.concurrency());
  }

  /**
   * Reads and checks the settings, then creates the harvester and starts its flusher thread.
   *
   * @throws IllegalArgumentException if a setting is invalid, naming the key, the range and the value
   */
  @Override
  public Harvester create(HarvesterContext context) {
    Objects.requireNonNull(context, "context");
    BatchConfig config = config(context.settings(), context.concurrency());
    return BatchHarvester.start(context.consumerName(), context.port(), context.callback(), config);
  }

  static BatchConfig config(Settings settings, int concurrency) {
    Duration maxWait = settings.getDuration(MAX_WAIT, DEFAULT_MAX_WAIT, Duration.ZERO, Duration.ofSeconds(10));
    int defaultInFlight = Math.clamp((concurrency + 4) / 5, MIN_DEFAULT_IN_FLIGHT, MAX_DEFAULT_IN_FLIGHT);
    int maxInFlight = settings.getInt(MAX_IN_FLIGHT, defaultInFlight, 1, 1_000);
    int bufferSize = settings.getInt(BUFFER_SIZE, 2 * 10 * maxInFlight, 10, 1_000_000);
    int maxAttempts = settings.getInt(MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS, 1, 100);
    return new BatchConfig(maxWait, maxInFlight, bufferSize, maxAttempts);
  }

  /** The checked settings. */
  record BatchConfig(Duration maxWait, int maxInFlight, int bufferSize, int maxAttempts) {}
}
