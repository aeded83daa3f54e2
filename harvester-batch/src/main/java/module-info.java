/**
 * The batch harvester: acknowledges in DeleteMessageBatch requests of up to ten entries, and releases in
 * ChangeMessageVisibilityBatch requests, several in flight at once. Up to ten times fewer requests than
 * acknowledging one by one; choose it with the name {@code batch}.
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
