package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.micrometer.ConsumerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;

/**
 * Auto-configuration of every consumer's Micrometer metrics ({@link ConsumerMetrics}), bound to the
 * application's {@link MeterRegistry}, when {@code sqs-consumer-micrometer} is on the class path and the
 * application has a registry.
 *
 * <p>Created by Spring Boot; not for direct use.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass({ConsumerMetrics.class, MeterRegistry.class})
@ConditionalOnBean(MeterRegistry.class)
public final class SqsConsumerMetricsAutoConfiguration {

  /** Created by Spring Boot. */
  public SqsConsumerMetricsAutoConfiguration() {}

  /** Installed inside the tracing hook, so a handler's time is measured within its span. */
  @Bean
  @Order(20)
  Instrumentation sqsConsumerMetrics(MeterRegistry registry) {
    return (name, builder) -> {
      ConsumerMetrics metrics = ConsumerMetrics.installOn(builder);
      return consumer -> metrics.bindTo(registry);
    };
  }
}
