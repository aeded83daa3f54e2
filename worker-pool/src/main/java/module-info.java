/**
 * A worker that runs units of work on an elastic pool of reused platform threads, with a bounded
 * ring-buffer waiting room, that shrinks when idle. Choose it with the name {@code pool}.
 *
 * <p>Exports nothing: the consumer finds it with {@link java.util.ServiceLoader}.
 *
 * <h2>Settings</h2>
 * Given and checked as {@link io.github.sqsconsumer.Consumer.Builder#setting(String, String)} says.
 * <table>
 *   <caption>pool settings</caption>
 *   <tr><th>key</th><th>range</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code pool.minWorkers}</td><td>0 to concurrency</td><td>0</td>
 *       <td>threads kept when idle. 0 because a consumer of a quiet queue should hold no threads; threads
 *       are cheap to start again at the next message compared with an SQS round trip.</td></tr>
 *   <tr><td>{@code pool.idleTimeout}</td><td>1ms to 1h</td><td>60s</td>
 *       <td>how long a thread waits for work before it stops. 60 s outlasts the gap between SQS long polls
 *       (at most 20 s each), so a queue with a trickle of messages does not start and stop threads on every
 *       receive; it is also the keep-alive of {@code Executors.newCachedThreadPool}.</td></tr>
 *   <tr><td>{@code pool.queueCapacity}</td><td>1 to 1048576, rounded up to a power of two</td>
 *       <td>the larger of 16 and concurrency rounded up to a power of two</td>
 *       <td>units that may wait when all threads are busy. One unit per thread lets the core keep every
 *       thread fed between receives without holding many received messages (whose visibility timeout is
 *       running) in memory; at least 16 so that a receive of 10 messages fits even at low concurrency.</td>
 *   </tr>
 * </table>
 *
 * @provides io.github.sqsconsumer.spi.WorkerProvider
 */
module io.github.sqsconsumer.worker.pool {
  requires io.github.sqsconsumer;
  requires org.slf4j;

  provides io.github.sqsconsumer.spi.WorkerProvider with
      io.github.sqsconsumer.worker.pool.PoolWorkerProvider;
}
