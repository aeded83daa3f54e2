/**
 * For tests and benchmarks, not production: an SQS-like {@link io.github.sqsconsumer.testkit.InMemoryQueue}
 * with its runner ({@code memory}), the contract tests every worker and harvester — including your own —
 * must pass ({@link io.github.sqsconsumer.testkit.WorkerContractTest},
 * {@link io.github.sqsconsumer.testkit.HarvesterContractTest}), a scripted queue port for harvester tests,
 * and an embedded ElasticMQ server ({@link io.github.sqsconsumer.testkit.ElasticMqServer}, which needs
 * {@code org.elasticmq:elasticmq-rest-sqs_2.13} on the class path).
 *
 * <p>This jar has no module-info on purpose: as an automatic module or on the class path it can read
 * ElasticMQ, whose Scala jars cannot live on the module path.
 */
package io.github.sqsconsumer.testkit;
