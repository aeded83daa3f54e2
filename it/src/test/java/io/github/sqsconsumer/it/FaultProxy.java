package io.github.sqsconsumer.it;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A TCP proxy on {@code 127.0.0.1} in front of an SQS-compatible server that breaks a share of the HTTP
 * requests passing through it, the ways a network and a busy service break them.
 *
 * <p>It understands just enough HTTP/1.1 to find where each request ends (headers, then
 * {@code Content-Length} bytes of body; the AWS SDK sends no chunked JSON requests) and reads the SQS action
 * from {@code X-Amz-Target}. For each request the {@link FaultPlan} picks a {@link Fault}: forward it, answer
 * an error in the SQS JSON protocol's shape, hang, or cut the connection before or after the server acted.
 *
 * <pre>
 * Concurrency:
 *   One virtual thread accepts; each accepted connection gets a virtual thread reading requests from the
 *   client and one pumping the server's responses back. The SDK does not pipeline requests on a
 *   connection, so while a request is answered by the proxy itself the server side is idle and the two
 *   threads never write the client socket at once. dropAfter is written by the request thread before it
 *   forwards and read by the pump thread when the response begins.
 *   Connections are bounded: beyond MAX_CONNECTIONS a new one is closed at once (counted in rejected()).
 * Shutdown:
 *   close() closes the listening socket and every open socket, then waits for all threads: a client sees
 *   its connections reset and new ones refused, as when a host goes away.
 * </pre>
 */
final class FaultProxy implements AutoCloseable {
  /** What happens to one request. */
  enum Fault {
    /** Forwarded; the server's answer goes back unchanged. */
    NONE,
    /** Answered 500 InternalError by the proxy; the server never sees it. */
    INTERNAL_ERROR,
    /** Answered 503 ServiceUnavailable by the proxy. */
    UNAVAILABLE,
    /** Answered 400 RequestThrottled, which the SDK and the runner read as throttling. */
    THROTTLED,
    /** Never answered: held until the client gives up (its attempt timeout) and closes the connection. */
    HANG,
    /** The connection is cut after the request arrived, before the server saw it. */
    DROP_BEFORE,
    /** Forwarded, and the connection is cut as the answer begins: the server acted, the client never knows. */
    DROP_AFTER
  }

  /** Chooses the fault for one request; called concurrently. */
  @FunctionalInterface
  interface FaultPlan {
    Fault choose(String action);

    /** No faults. */
    FaultPlan NONE = action -> Fault.NONE;

    /**
     * Answers the first {@code n} requests of {@code action} with {@code fault}, then follows this plan:
     * a fault that certainly happens, where a test needs more than a probability.
     */
    default FaultPlan first(String action, int n, Fault fault) {
      AtomicInteger seen = new AtomicInteger();
      return a -> a.equals(action) && seen.getAndIncrement() < n ? fault : choose(a);
    }

    /**
     * Deals faults from a shuffled deck: of every {@code deckSize} requests, exactly {@code cards.get(f)} meet
     * fault {@code f} and the rest are forwarded; the deck is reshuffled when dealt out. Random order, exact
     * shares: a run of {@code deckSize} requests or more meets every fault of the deck, and its faulted share
     * strays from the deck's by less than one deck over the run's length.
     */
    static FaultPlan deck(Map<Fault, Integer> cards, int deckSize) {
      java.util.List<Fault> deck = new java.util.ArrayList<>();
      cards.forEach((f, n) -> deck.addAll(java.util.Collections.nCopies(n, f)));
      if (deck.size() > deckSize || cards.containsKey(Fault.NONE)) {
        throw new IllegalArgumentException("fault cards must number at most " + deckSize + " but were " + cards);
      }
      deck.addAll(java.util.Collections.nCopies(deckSize - deck.size(), Fault.NONE));
      java.util.ArrayDeque<Fault> dealing = new java.util.ArrayDeque<>();
      return action -> {
        synchronized (dealing) {
          if (dealing.isEmpty()) {
            java.util.List<Fault> shuffled = new java.util.ArrayList<>(deck);
            java.util.Collections.shuffle(shuffled, ThreadLocalRandom.current());
            dealing.addAll(shuffled);
          }
          return dealing.poll();
        }
      };
    }

    /**
     * Faults each request with the given probabilities, at random; the rest are forwarded.
     *
     * @param shares the probability of each fault, summing to at most 1
     */
    static FaultPlan random(Map<Fault, Double> shares) {
      double total = shares.values().stream().mapToDouble(Double::doubleValue).sum();
      if (total > 1 || shares.containsKey(Fault.NONE)) {
        throw new IllegalArgumentException("fault shares must sum to at most 1 but were " + shares);
      }
      Map<Fault, Double> copy = new EnumMap<>(shares);
      return action -> {
        double r = ThreadLocalRandom.current().nextDouble();
        for (Map.Entry<Fault, Double> e : copy.entrySet()) {
          r -= e.getValue();
          if (r < 0) {
            return e.getKey();
          }
        }
        return Fault.NONE;
      };
    }
  }

  // well above what one consumer opens (parallel polls + acknowledgements); a runaway client is cut off
  private static final int MAX_CONNECTIONS = 512;
  // a hung request is held at most this long, in case the client never times out
  private static final Duration MAX_HANG = Duration.ofSeconds(60);
  private static final int MAX_HEADER_BYTES = 64 * 1024;

  private final InetSocketAddress upstream;
  private final ServerSocket server;
  private volatile FaultPlan plan;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final Semaphore connections = new Semaphore(MAX_CONNECTIONS);
  private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Map<Fault, LongAdder> counts = new EnumMap<>(Fault.class);
  private final Map<String, LongAdder> actions = new ConcurrentHashMap<>();
  private final LongAdder rejected = new LongAdder();

  /**
   * Starts a proxy to {@code 127.0.0.1:upstreamPort} on a free port.
   *
   * @throws IOException if it cannot listen
   */
  FaultProxy(int upstreamPort, FaultPlan plan) throws IOException {
    this.upstream = new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort);
    this.plan = plan;
    for (Fault f : Fault.values()) {
      counts.put(f, new LongAdder());
    }
    this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  /** Returns the endpoint clients should use instead of the server's; never null. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Replaces the plan; requests already chosen keep their fault. */
  void plan(FaultPlan plan) {
    this.plan = plan;
  }

  /** Returns how many requests met each fault so far. */
  Map<Fault, Long> counts() {
    Map<Fault, Long> result = new EnumMap<>(Fault.class);
    counts.forEach((f, n) -> result.put(f, n.sum()));
    return result;
  }

  /** Returns how many requests of each SQS action passed the proxy (faulted or not). */
  Map<String, Long> actions() {
    Map<String, Long> result = new java.util.TreeMap<>();
    actions.forEach((a, n) -> result.put(a, n.sum()));
    return result;
  }

  /** Returns how many connections were refused for exceeding the bound. */
  long rejected() {
    return rejected.sum();
  }

  /** Cuts every connection, refuses new ones and waits for the proxy's threads to end. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(server);
    open.forEach(FaultProxy::closeQuietly);
    threads.close(); // every thread blocks only on a socket closed above, so this returns promptly
  }

  private void accept() {
    while (!closed.get()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (!connections.tryAcquire()) {
        rejected.increment();
        closeQuietly(client);
        continue;
      }
      open.add(client);
      if (closed.get()) { // close() may have swept open before the add: do not leak this one
        closeQuietly(client);
      }
      try {
        threads.execute(() -> serve(client));
      } catch (RuntimeException e) { // the executor is shutting down
        open.remove(client);
        closeQuietly(client);
        connections.release();
      }
    }
  }

  private void serve(Socket client) {
    Socket server = new Socket();
    AtomicBoolean dropAfter = new AtomicBoolean();
    try {
      open.add(server);
      if (closed.get()) {
        return;
      }
      client.setTcpNoDelay(true);
      server.setTcpNoDelay(true);
      server.connect(upstream, 5_000);
      InputStream fromClient = client.getInputStream();
      OutputStream toClient = client.getOutputStream();
      OutputStream toServer = server.getOutputStream();
      threads.execute(() -> pump(server, client, dropAfter));
      while (true) {
        Request request = readRequest(fromClient);
        if (request == null) {
          return; // the client closed the connection
        }
        actions.computeIfAbsent(request.action, a -> new LongAdder()).increment();
        Fault fault = plan.choose(request.action);
        counts.get(fault).increment();
        switch (fault) {
          case NONE -> {
            toServer.write(request.bytes);
            toServer.flush();
          }
          case INTERNAL_ERROR -> answer(toClient, 500, "Internal Server Error", "InternalError", "Receiver");
          case UNAVAILABLE -> answer(toClient, 503, "Service Unavailable", "ServiceUnavailable", "Receiver");
          case THROTTLED -> answer(toClient, 400, "Bad Request", "RequestThrottled", "Sender");
          case HANG -> {
            client.setSoTimeout((int) MAX_HANG.toMillis());
            fromClient.transferTo(OutputStream.nullOutputStream()); // until the client gives up
            return;
          }
          case DROP_BEFORE -> {
            return;
          }
          case DROP_AFTER -> {
            dropAfter.set(true);
            toServer.write(request.bytes);
            toServer.flush();
          }
          default -> throw new AssertionError(fault);
        }
      }
    } catch (IOException e) {
      // a socket was closed or timed out: the connection is over
    } finally {
      closeQuietly(client);
      closeQuietly(server);
      open.remove(client);
      open.remove(server);
      connections.release();
    }
  }

  /** Copies the server's responses to the client, cutting the client off when a DROP_AFTER answer begins. */
  private void pump(Socket server, Socket client, AtomicBoolean dropAfter) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = server.getInputStream();
      OutputStream out = client.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (dropAfter.get()) {
          break; // the server has answered: it acted on the request
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // either side closed
    } finally {
      closeQuietly(client);
      closeQuietly(server);
    }
  }

  private static void answer(OutputStream out, int status, String reason, String code, String fault)
      throws IOException {
    byte[] body = ("{\"__type\":\"com.amazonaws.sqs#" + code + "\",\"message\":\"injected by FaultProxy\"}")
        .getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + status + " " + reason + "\r\n"
        + "x-amzn-RequestId: " + UUID.randomUUID() + "\r\n"
        + "x-amzn-query-error: " + code + ";" + fault + "\r\n"
        + "Content-Type: application/x-amz-json-1.0\r\n"
        + "Content-Length: " + body.length + "\r\n"
        + "\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
  }

  /** One request as read from the client: its bytes, to forward unchanged, and its SQS action. */
  private record Request(byte[] bytes, String action) {}

  /** Reads one request, or returns null at a clean end of stream before it began. */
  private static Request readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream(1024);
    int matched = 0; // how much of "\r\n\r\n" was just seen
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        if (head.size() == 0) {
          return null;
        }
        throw new IOException("the client closed the connection within a request");
      }
      head.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
          ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > MAX_HEADER_BYTES) {
        throw new IOException("request headers exceed " + MAX_HEADER_BYTES + " bytes");
      }
    }
    String headers = head.toString(StandardCharsets.ISO_8859_1);
    long length = 0;
    String action = "?";
    for (String line : headers.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> throw new IOException("chunked requests are not supported");
        case "x-amz-target" -> action = value.substring(value.indexOf('.') + 1);
        default -> { }
      }
    }
    byte[] body = in.readNBytes((int) length);
    if (body.length < length) {
      throw new IOException("the client closed the connection within a request body");
    }
    head.write(body);
    return new Request(head.toByteArray(), action);
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      // closing anyway
    }
  }

  @Override
  public String toString() {
    return "FaultProxy[" + endpoint() + " -> " + upstream + ", " + counts() + "]";
  }

  /** For figures: a short line of non-zero fault counts. */
  String describeCounts() {
    StringBuilder sb = new StringBuilder();
    counts().forEach((f, n) -> {
      if (n > 0) {
        sb.append(sb.isEmpty() ? "" : ", ").append(f.name().toLowerCase(Locale.ROOT)).append(' ').append(n);
      }
    });
    return sb.toString();
  }
}
