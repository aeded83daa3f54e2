/**
 * The direct harvester: acknowledges each message with its own request as soon as its outcome arrives.
 * Lowest latency, one request per message; choose it with the name {@code direct}.
 *
 * <h2>Settings</h2>
 * Given and checked as {@link io.github.sqsconsumer.Consumer.Builder#setting(String, String)} says.
 * <ul>
 *   <li>{@code direct.maxInFlight} (1 to 10000; default the consumer's concurrency, at most 50): the most
 *       requests sent and not yet answered, counting those waiting to retry. When reached, acknowledge and
 *       release wait (backpressure). One per handler lets every outcome go out at once; the cap of 50
 *       matches the AWS SDK's default connection pool, beyond which requests only queue inside the SDK.</li>
 *   <li>{@code direct.maxAttempts} (1 to 100; default 5): how many times a request failing transiently
 *       (throttling, server errors, timeouts) is sent before the message is reported as failed. Retries
 *       back off exponentially with equal jitter from 50 ms, so five attempts span about a second: long enough
 *       to ride out a throttling burst, short against a visibility timeout.</li>
 * </ul>
 *
 * @provides io.github.sqsconsumer.spi.HarvesterProvider
 *     {@link io.github.sqsconsumer.harvester.direct.DirectHarvesterProvider}, named {@code direct}
 */
module io.github.sqsconsumer.harvester.direct {
  requires io.github.sqsconsumer;
  requires org.slf4j;

  provides io.github.sqsconsumer.spi.HarvesterProvider
      with io.github.sqsconsumer.harvester.direct.DirectHarvesterProvider;
}
