/**
 * Micrometer metrics for sqs-consumer: {@link io.github.sqsconsumer.micrometer.ConsumerMetrics}, a
 * {@code MeterBinder} installed on a consumer's builder.
 */
module io.github.sqsconsumer.micrometer {
  requires transitive io.github.sqsconsumer;
  requires transitive micrometer.core;

  exports io.github.sqsconsumer.micrometer;
}
