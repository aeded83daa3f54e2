/**
 * For tests and benchmarks, not production: an SQS-like {@link io.github.sqsconsumer.testkit.InMemoryQueue}
 * with its runner ({@code memory}), the contract tests every worker and harvester — including your own —
 * must pass ({@link io.github.sqsconsumer.testkit.WorkerContractTest},
 * {@link io.github.sqsconsumer.testkit.HarvesterContractTest}) and a scripted queue port for harvester tests.
 * The embedded ElasticMQ server and its JUnit 5 extension are in {@code sqs-consumer-testkit-elasticmq}.
 *
 * <p>This jar has no module-info yet: as an automatic module or on the class path.
 */
package io.github.sqsconsumer.testkit;
