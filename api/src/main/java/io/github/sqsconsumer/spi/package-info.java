/**
 * The service provider interface: how a runner, a worker and a harvester plug into a consumer.
 *
 * <h2>Parts</h2>
 * <ul>
 *   <li>A {@link io.github.sqsconsumer.spi.Runner} is the queue side: it receives messages and, as a
 *       {@link io.github.sqsconsumer.spi.QueuePort}, deletes them and changes their visibility. It knows
 *       the wire protocol and nothing of scheduling.</li>
 *   <li>A {@link io.github.sqsconsumer.spi.Worker} runs {@link io.github.sqsconsumer.spi.WorkUnit}s with a
 *       hard concurrency limit and reports when it has no room (backpressure).</li>
 *   <li>A {@link io.github.sqsconsumer.spi.Harvester} turns outcomes into queue calls: deletes and
 *       visibility changes, batched or not.</li>
 * </ul>
 * The consumer core (in this module, not exported) drives them: it polls through the runner, keeps the
 * in-flight registry and the visibility heartbeat, orders FIFO groups, dispatches to the worker and hands
 * outcomes to the harvester. Keeping that logic in one place means every runner, including a user's own,
 * gets the same polling strategy, heartbeat, FIFO ordering and shutdown sequence.
 *
 * <h2>Discovery</h2>
 * Each part has a provider ({@link io.github.sqsconsumer.spi.RunnerProvider},
 * {@link io.github.sqsconsumer.spi.WorkerProvider}, {@link io.github.sqsconsumer.spi.HarvesterProvider})
 * found with {@link java.util.ServiceLoader}: declare it with {@code provides} in a module-info and under
 * {@code META-INF/services} for the class path. Provider constructors must be cheap and side-effect free;
 * the work happens in {@code create}.
 *
 * <h2>Settings</h2>
 * A part reads its own {@link io.github.sqsconsumer.spi.Settings}, named after it ({@code pool.idleTimeout}
 * for the worker named {@code pool}), and lists every key it reads in its provider's {@code settingKeys()}.
 * {@code Consumer.Builder.build()} checks them all before anything runs:
 * <ol>
 *   <li>the keys: a builder setting must be one a chosen part lists, and a system property
 *       {@code io.github.sqsconsumer.<part>.<name>} for a chosen part must be one that part lists (those of
 *       parts not chosen are ignored); otherwise the error names the key and the keys the parts read;</li>
 *   <li>the values: the runner's, the worker's and the harvester's {@code validate}, which parse every
 *       setting as {@code create} will, without creating anything.</li>
 * </ol>
 * {@code start()} then creates the three parts from the same, fixed settings, so it fails only for the
 * queue's sake.
 *
 * <h2>Absence</h2>
 * A value a method may not have to return is an {@link java.util.Optional} (never null); a parameter that
 * may be absent is a documented null, as the JDK's guidance for {@code Optional} has it. Limits shared by
 * every part live in {@link io.github.sqsconsumer.spi.Limits}; a harvester starts from
 * {@link io.github.sqsconsumer.spi.AbstractHarvester}.
 */
package io.github.sqsconsumer.spi;
