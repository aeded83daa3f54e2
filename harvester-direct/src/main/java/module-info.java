/**
 * The direct harvester: acknowledges each message with its own request as soon as its outcome arrives.
 * Lowest latency, one request per message; choose it with the name {@code direct}.
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
