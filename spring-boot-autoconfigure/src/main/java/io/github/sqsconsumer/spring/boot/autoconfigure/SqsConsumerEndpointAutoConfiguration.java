package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.spring.boot.SqsConsumers;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the Actuator endpoint {@link SqsConsumersEndpoint} when Actuator is on the class path
 * and the endpoint is available (enabled and exposed).
 *
 * <p>Created by Spring Boot; not for direct use.
 */
@AutoConfiguration(after = SqsConsumerAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(SqsConsumers.class)
@ConditionalOnAvailableEndpoint(SqsConsumersEndpoint.class)
public final class SqsConsumerEndpointAutoConfiguration {

  /** Created by Spring Boot. */
  public SqsConsumerEndpointAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  SqsConsumersEndpoint sqsConsumersEndpoint(SqsConsumers consumers) {
    return new SqsConsumersEndpoint(consumers);
  }
}
