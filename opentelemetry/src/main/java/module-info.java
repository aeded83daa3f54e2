/**
 * OpenTelemetry tracing for sqs-consumer: {@link io.github.sqsconsumer.opentelemetry.ConsumerTracing}, a
 * consumer span around each handler call, installed on a consumer's builder.
 */
module io.github.sqsconsumer.opentelemetry {
  requires transitive io.github.sqsconsumer;
  requires transitive io.opentelemetry.api;
  requires io.opentelemetry.context;

  exports io.github.sqsconsumer.opentelemetry;
}
