package io.github.sqsconsumer.harvester.direct;

import io.github.sqsconsumer.spi.HarvesterProvider;
import io.github.sqsconsumer.testkit.HarvesterContractTest;
import java.util.Map;

final class DirectHarvesterContractTest extends HarvesterContractTest {

  @Override
  protected HarvesterProvider provider() {
    return new DirectHarvesterProvider();
  }

  /** Everything the direct harvester holds is in flight or waiting to retry: one permit each. */
  @Override
  protected Map<String, String> settingsBoundedTo(int bound) {
    return Map.of(DirectHarvesterProvider.MAX_IN_FLIGHT, Integer.toString(bound));
  }
}
