/**
 * sqs-consumer in a Spring Boot application: {@link io.github.sqsconsumer.spring.boot.SqsConsumer} marks a
 * handler method; {@link io.github.sqsconsumer.spring.boot.SqsConsumers} holds the consumers the context
 * manages; {@link io.github.sqsconsumer.spring.boot.SqsConsumerCustomizer} adjusts their builders.
 */
package io.github.sqsconsumer.spring.boot;
