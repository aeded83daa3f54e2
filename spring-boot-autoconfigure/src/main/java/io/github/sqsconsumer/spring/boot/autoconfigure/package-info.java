/**
 * Spring Boot auto-configuration of sqs-consumer: {@link
 * io.github.sqsconsumer.spring.boot.autoconfigure.SqsConsumerAutoConfiguration} and the configurations of
 * metrics, tracing, health and the Actuator endpoint that apply when their modules are present; the
 * {@code sqs-consumer.*} properties in {@link io.github.sqsconsumer.spring.boot.autoconfigure.SqsConsumerProperties}.
 */
package io.github.sqsconsumer.spring.boot.autoconfigure;
