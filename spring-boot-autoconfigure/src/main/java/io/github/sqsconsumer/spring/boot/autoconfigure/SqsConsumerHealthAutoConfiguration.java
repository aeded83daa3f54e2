package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.spring.boot.SqsConsumers;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the consumers' health contributor, {@code sqsConsumers}, when Spring Boot's health
 * support is on the class path and {@code management.health.sqsconsumers.enabled} is not false.
 *
 * <p>Created by Spring Boot; not for direct use.
 */
@AutoConfiguration(after = SqsConsumerAutoConfiguration.class)
@ConditionalOnClass(HealthContributor.class)
@ConditionalOnBean(SqsConsumers.class)
@ConditionalOnEnabledHealthIndicator("sqsconsumers")
public final class SqsConsumerHealthAutoConfiguration {

  /** Created by Spring Boot. */
  public SqsConsumerHealthAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean(name = "sqsConsumersHealthContributor")
  HealthContributor sqsConsumersHealthContributor(SqsConsumers consumers) {
    return new SqsConsumersHealthContributor(consumers);
  }
}
