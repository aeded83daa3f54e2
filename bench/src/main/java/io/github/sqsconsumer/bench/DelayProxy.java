package io.github.sqsconsumer.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/*
 * Concurrency:
 *   One platform thread accepts. Each connection gets three platform threads: `read` reads chunks from the
 *   client and queues each with its due time (read time + delay); `send` writes each chunk to the upstream
 *   when due, in order; `pump` copies the upstream's replies back at once. A chunk is delayed by the delay
 *   counted from when it was read, so pipelined chunks are not delayed one after the other: the proxy
 *   models a longer wire, not a slower one. Threads: 1 + 3 per open connection, bounded by the client's
 *   connection pool.
 *   Platform threads, not virtual: the proxy stands for the network, so its CPU must show apart from the
 *   consumer's, whose virtual threads share the carriers (ThreadCpu can tell threads apart only by name).
 * Shutdown:
 *   close() closes the server socket (the accept loop ends) and every open socket (each thread's blocking
 *   read or write fails and the thread ends); connections also end when either side closes.
 */
/**
 * A TCP proxy on {@code 127.0.0.1} (a free port) that forwards to one upstream and delays every chunk the
 * client sends by a fixed time: a network round trip of that delay, added to requests only (replies come
 * back at once), so a client sees each request take the delay longer. Thread-safe.
 */
final class DelayProxy implements AutoCloseable {
  private static final byte[] END = new byte[0];

  private final InetSocketAddress upstream;
  private final long delayNanos;
  private final ServerSocket server;
  private final Thread acceptor;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong chunks = new AtomicLong();
  private volatile boolean closed;

  private record Chunk(long dueNanos, byte[] bytes) {}

  /** Starts a proxy to {@code upstream} (an http URI with host and port). */
  DelayProxy(URI upstream, Duration delay) throws IOException {
    this.upstream = new InetSocketAddress(upstream.getHost(), upstream.getPort());
    this.delayNanos = delay.toNanos();
    this.server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    this.acceptor = Thread.ofPlatform().daemon().name("delay-proxy-accept").start(this::acceptLoop);
  }

  /** Returns the proxy's endpoint, {@code http://127.0.0.1:<port>}. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Returns how many connections were accepted. */
  long connections() {
    return connections.get();
  }

  /** Returns how many chunks went from clients to the upstream. */
  long chunks() {
    return chunks.get();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      connections.incrementAndGet();
      Thread.ofPlatform().daemon().name("delay-proxy-conn").start(() -> connect(client));
    }
  }

  private void connect(Socket client) {
    Socket target = new Socket();
    sockets.add(client);
    sockets.add(target);
    try {
      client.setTcpNoDelay(true);
      target.setTcpNoDelay(true);
      target.connect(upstream, 5_000);
      if (closed) {
        throw new IOException("closed");
      }
    } catch (IOException e) {
      closeBoth(client, target);
      return;
    }
    BlockingQueue<Chunk> pending = new LinkedBlockingQueue<>();
    Thread.ofPlatform().daemon().name("delay-proxy-send").start(() -> sendLoop(pending, client, target));
    Thread.ofPlatform().daemon().name("delay-proxy-pump").start(() -> pump(target, client));
    readLoop(client, target, pending);
  }

  private void readLoop(Socket client, Socket target, BlockingQueue<Chunk> pending) {
    byte[] buffer = new byte[64 * 1024];
    try {
      InputStream in = client.getInputStream(); // closed with the socket, by the send loop
      int n;
      while ((n = in.read(buffer)) >= 0) {
        pending.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
      }
    } catch (IOException e) {
      // closed by either side
    }
    pending.add(new Chunk(System.nanoTime() + delayNanos, END));
  }

  private void sendLoop(BlockingQueue<Chunk> pending, Socket client, Socket target) {
    try (OutputStream out = target.getOutputStream()) {
      while (true) {
        Chunk chunk = pending.take();
        long wait = chunk.dueNanos() - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        if (chunk.bytes() == END) {
          break;
        }
        chunks.incrementAndGet(); // before the write: once a reply can exist, the chunk is counted
        out.write(chunk.bytes());
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // closed
    } finally {
      closeBoth(client, target);
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // closed
    } finally {
      closeBoth(from, to);
    }
  }

  private void closeBoth(Socket a, Socket b) {
    close(a);
    close(b);
  }

  private void close(Socket socket) {
    sockets.remove(socket);
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // nothing to do
    }
    for (Socket socket : sockets) {
      close(socket);
    }
    acceptor.join(5_000);
  }
}
