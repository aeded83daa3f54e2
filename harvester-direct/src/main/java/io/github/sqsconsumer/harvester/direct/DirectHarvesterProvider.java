package io.github.sqsconsumer.harvester.direct;

import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.HarvesterContext;
import io.github.sqsconsumer.spi.HarvesterProvider;
import io.github.sqsconsumer.spi.Settings;
import java.util.Objects;
import java.util.Set;

/**
 * Provides the direct harvester, named {@code direct}: each acknowledgement is one DeleteMessage request
 * and each release one ChangeMessageVisibility request, sent at once, with a bounded number in flight.
 * Choose it for the lowest acknowledgement latency; choose {@code batch} for fewer requests (up to ten
 * times fewer) at high throughput.
 *
 * <p>Its settings ({@code direct.*}: keys, ranges, defaults and why) are documented on the module, in
 * {@code module-info.java}; {@link #validate} checks them at {@code build()}.
 *
 * <p>Thread-safe; the constructor does nothing.
 */
public final class DirectHarvesterProvider implements HarvesterProvider {
  static final String MAX_IN_FLIGHT = "direct.maxInFlight";
  static final String MAX_ATTEMPTS = "direct.maxAttempts";

  /** The AWS SDK's default connection pool size (Netty and Apache clients): more in flight only queues. */
  static final int DEFAULT_MAX_IN_FLIGHT_CAP = 50;
  /** About a second of backoff in all; see the module's Javadoc (module-info.java). */
  static final int DEFAULT_MAX_ATTEMPTS = 5;

  /** Does nothing; {@link #create} does the work. */
  public DirectHarvesterProvider() {}

  /** Returns {@code direct}. */
  @Override
  public String name() {
    return "direct";
  }

  /** Returns {@code direct.maxInFlight} and {@code direct.maxAttempts}. */
  @Override
  public Set<String> settingKeys() {
    return Set.of(MAX_IN_FLIGHT, MAX_ATTEMPTS);
  }

  /**
   * Reads and checks the settings; creates nothing and uses neither the port nor the callback.
   *
   * @throws IllegalArgumentException if a setting is invalid, naming the key, the range and the value
   */
  @Override
  public void validate(HarvesterContext context) {
    config(Objects.requireNonNull(context, "context"));
  }

  /**
   * Reads and checks the settings, then creates the harvester with its retry thread.
   *
   * @throws IllegalArgumentException if a setting is invalid, naming the key, the range and the value
   */
  @Override
  public Harvester create(HarvesterContext context) {
    Objects.requireNonNull(context, "context");
    DirectConfig config = config(context);
    return new DirectHarvester(context, config.maxInFlight(), config.maxAttempts());
  }

  /** Reads and checks the settings; the one place both validate and create read them. */
  static DirectConfig config(HarvesterContext context) {
    Settings settings = context.settings();
    int maxInFlight = settings.getInt(MAX_IN_FLIGHT,
        Math.min(Math.max(1, context.concurrency()), DEFAULT_MAX_IN_FLIGHT_CAP), 1, 10_000);
    int maxAttempts = settings.getInt(MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS, 1, 100);
    return new DirectConfig(maxInFlight, maxAttempts);
  }

  /** The checked settings. */
  record DirectConfig(int maxInFlight, int maxAttempts) {}
}
