package io.github.sqsconsumer.harvester.batch;

import io.github.sqsconsumer.spi.HarvesterProvider;
import io.github.sqsconsumer.testkit.HarvesterContractTest;
import java.util.Map;

final class BatchHarvesterContractTest extends HarvesterContractTest {

  @Override
  protected HarvesterProvider provider() {
    return new BatchHarvesterProvider();
  }

  /** The buffer counts everything held: pending, in flight and waiting to retry. */
  @Override
  protected Map<String, String> settingsBoundedTo(int bound) {
    return Map.of(BatchHarvesterProvider.BUFFER_SIZE, Integer.toString(bound));
  }
}
