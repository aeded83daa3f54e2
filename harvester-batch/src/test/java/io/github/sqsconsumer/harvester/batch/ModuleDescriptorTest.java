package io.github.sqsconsumer.harvester.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Provides;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class ModuleDescriptorTest {
  private final Module module = BatchHarvesterProvider.class.getModule();

  @Test
  void module_isNamedAfterItsPackage() {
    assertThat(module.isNamed()).as("tests run on the module path").isTrue();
    assertThat(module.getName()).isEqualTo("io.github.sqsconsumer.harvester.batch");
  }

  @Test
  void module_exportsAndOpensNothing() {
    ModuleDescriptor descriptor = module.getDescriptor();
    assertThat(descriptor.isOpen()).isFalse();
    assertThat(descriptor.exports()).isEmpty();
    assertThat(descriptor.opens()).isEmpty();
  }

  @Test
  void module_providesExactlyTheHarvesterProvider() {
    assertThat(module.getDescriptor().provides()).singleElement().satisfies((Provides p) -> {
      assertThat(p.service()).isEqualTo("io.github.sqsconsumer.spi.HarvesterProvider");
      assertThat(p.providers()).containsExactly(BatchHarvesterProvider.class.getName());
    });
  }

  @Test
  void classPath_servicesFileNamesTheSameProvider() throws IOException {
    try (InputStream in = module.getResourceAsStream(
        "META-INF/services/io.github.sqsconsumer.spi.HarvesterProvider")) {
      assertThat(in).isNotNull();
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip())
          .isEqualTo(BatchHarvesterProvider.class.getName());
    }
  }
}
