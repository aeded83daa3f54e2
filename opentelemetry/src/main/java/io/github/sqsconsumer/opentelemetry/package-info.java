/**
 * OpenTelemetry tracing for a consumer: install {@link io.github.sqsconsumer.opentelemetry.ConsumerTracing}
 * on the builder.
 */
package io.github.sqsconsumer.opentelemetry;
