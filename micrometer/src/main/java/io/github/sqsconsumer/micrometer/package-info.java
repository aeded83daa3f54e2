/**
 * Micrometer metrics for a consumer: install a {@link io.github.sqsconsumer.micrometer.ConsumerMetrics} on
 * the builder, then bind it to a registry.
 */
package io.github.sqsconsumer.micrometer;
