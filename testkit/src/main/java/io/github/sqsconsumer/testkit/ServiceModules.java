package io.github.sqsconsumer.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Provides;
import java.nio.charset.StandardCharsets;

/**
 * The module-descriptor rules every part module keeps, as one assertion: named after its package, not
 * open, exports and opens nothing, provides exactly one service with the given provider, and carries the
 * same line under {@code META-INF/services} for the class path.
 *
 * <p>Call it from the part module's own tests: they run on the module path, so a named module is also the
 * proof of that. Thread-safe (stateless).
 */
public final class ServiceModules {
  private ServiceModules() {}

  /**
   * Asserts the rules for the module of {@code provider}.
   *
   * @param provider the provider class, never null
   * @param service the service interface it provides, never null
   */
  public static void assertProvidesOnly(Class<?> provider, Class<?> service) {
    Module module = provider.getModule();
    assertThat(module.isNamed()).as("tests run on the module path").isTrue();
    ModuleDescriptor descriptor = module.getDescriptor();
    assertThat(descriptor.name()).as("module named after its package").isEqualTo(provider.getPackageName());
    assertThat(descriptor.isOpen()).as("open module").isFalse();
    assertThat(descriptor.exports()).as("exports").isEmpty();
    assertThat(descriptor.opens()).as("opens").isEmpty();
    assertThat(descriptor.provides()).singleElement().satisfies((Provides p) -> {
      assertThat(p.service()).isEqualTo(service.getName());
      assertThat(p.providers()).containsExactly(provider.getName());
    });
    try (InputStream in = module.getResourceAsStream("META-INF/services/" + service.getName())) {
      assertThat(in).as("META-INF/services/%s", service.getName()).isNotNull();
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip()).isEqualTo(provider.getName());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
