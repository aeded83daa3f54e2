package io.github.sqsconsumer.harvester.direct;

import io.github.sqsconsumer.spi.HarvesterProvider;
import io.github.sqsconsumer.testkit.ServiceModules;
import org.junit.jupiter.api.Test;

final class ModuleDescriptorTest {

  @Test
  void module_exportsNothingAndProvidesOnlyHarvesterProvider() {
    ServiceModules.assertProvidesOnly(DirectHarvesterProvider.class, HarvesterProvider.class);
  }
}
