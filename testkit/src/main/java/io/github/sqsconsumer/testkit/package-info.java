/**
 * For tests and benchmarks, not production: an SQS-like {@link io.github.sqsconsumer.testkit.InMemoryQueue}
 * whose {@link io.github.sqsconsumer.testkit.InMemoryQueue#runner() runner} a consumer is handed explicitly,
 * the contract tests every part — including your own — must pass
 * ({@link io.github.sqsconsumer.testkit.RunnerContractTest}, {@link io.github.sqsconsumer.testkit.WorkerContractTest},
 * {@link io.github.sqsconsumer.testkit.HarvesterContractTest}), and a scripted queue port for harvester tests.
 * The embedded ElasticMQ server and its JUnit 5 extension are in {@code sqs-consumer-testkit-elasticmq}.
 */
package io.github.sqsconsumer.testkit;
