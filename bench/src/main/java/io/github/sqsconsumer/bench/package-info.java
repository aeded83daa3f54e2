/**
 * Benchmarks of sqs-consumer (not published): JMH comparisons of every worker x harvester combination
 * against hand-written plain-JDK and plain-SDK baselines ({@code *Benchmark}), the README's comparison job
 * ({@link io.github.sqsconsumer.bench.Compare}) and a diagnostic ({@link io.github.sqsconsumer.bench.Probe}).
 * Each benchmark class's Javadoc gives the command that runs it; results and their reading are in
 * {@code bench/RESULTS.md}.
 */
package io.github.sqsconsumer.bench;
