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
 * at the latest when the oldest pending entry has waited {@code batch.maxWait}. Several requests are in
 * flight at once, so acknowledging keeps up with the handlers at high throughput. Transient failures, of
 * whole requests or single entries, are retried with exponential backoff and jitter; invalid receipt
 * handles are reported at once.
 *
 * <p>Its settings ({@code batch.*}: keys, ranges, defaults and why) are documented on the module, in
 * {@code module-info.java}; {@link #validate} checks them at {@code build()}.
 *
 * <p>Thread-safe; the constructor does nothing.
 */
public final class BatchHarvesterProvider implements HarvesterProvider {
  static final String MAX_WAIT = "batch.maxWait";
  static final String MAX_IN_FLIGHT = "batch.maxInFlight";
  static final String BUFFER_SIZE = "batch.bufferSize";
  static final String MAX_ATTEMPTS = "batch.maxAttempts";

  /** See the module's Javadoc (module-info.java) for each reason. */
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
    return BatchHarvester.start(context, config);
  }

  static BatchConfig config(Settings settings, int concurrency) {
    Duration maxWait = settings.getDuration(MAX_WAIT, DEFAULT_MAX_WAIT, Duration.ZERO, Duration.ofSeconds(10));
    int defaultInFlight = Math.clamp((concurrency + 1) / 2, MIN_DEFAULT_IN_FLIGHT, MAX_DEFAULT_IN_FLIGHT);
    int maxInFlight = settings.getInt(MAX_IN_FLIGHT, defaultInFlight, 1, 1_000);
    int bufferSize = settings.getInt(BUFFER_SIZE, 2 * 10 * maxInFlight, 10, 1_000_000);
    int maxAttempts = settings.getInt(MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS, 1, 100);
    return new BatchConfig(maxWait, maxInFlight, bufferSize, maxAttempts);
  }

  /** The checked settings. */
  record BatchConfig(Duration maxWait, int maxInFlight, int bufferSize, int maxAttempts) {}
}
