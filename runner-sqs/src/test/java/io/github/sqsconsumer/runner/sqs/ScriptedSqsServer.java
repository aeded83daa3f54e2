package io.github.sqsconsumer.runner.sqs;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny HTTP server on loopback that answers SQS JSON-protocol requests with scripted replies, for the
 * answers ElasticMQ never gives: access denied, throttling, server errors. Real HTTP through the real SDK
 * stack (its error parsing included), no SDK mocks.
 *
 * <p>Each action ({@code GetQueueAttributes}, {@code ReceiveMessage}, ...) has one reply; unscripted
 * actions get 400 {@code UnsupportedOperation}.
 */
final class ScriptedSqsServer implements AutoCloseable {

  /** One scripted HTTP reply. */
  record Reply(int status, String queryErrorHeader, String body) {
    static Reply ok(String json) {
      return new Reply(200, null, json);
    }

    /** An error as SQS sends it: the JSON {@code __type} and the query-compatible error header. */
    static Reply error(int status, String type, String queryCode, String message) {
      return new Reply(status, queryCode == null ? null : queryCode + ";" + (status < 500 ? "Sender" : "Receiver"),
          "{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}");
    }
  }

  private final ServerSocket socket;
  private final Map<String, Reply> replies = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final Thread acceptor;

  ScriptedSqsServer() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = Thread.ofVirtual().name("scripted-sqs").start(this::accept);
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort());
  }

  /** Scripts the reply to an action. */
  ScriptedSqsServer on(String action, Reply reply) {
    replies.put(action, reply);
    return this;
  }

  /** Returns how many requests arrived. */
  int requests() {
    return requests.get();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket connection = socket.accept();
        Thread.ofVirtual().start(() -> serve(connection));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket connection) {
    try (connection; InputStream in = new BufferedInputStream(connection.getInputStream());
        OutputStream out = connection.getOutputStream()) {
      while (true) {
        String action = null;
        int length = 0;
        String line = readLine(in);
        if (line == null) {
          return;
        }
        while (!(line = readLine(in)).isEmpty()) {
          int colon = line.indexOf(':');
          String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
          String value = line.substring(colon + 1).trim();
          if (name.equals("content-length")) {
            length = Integer.parseInt(value);
          } else if (name.equals("x-amz-target")) {
            action = value.substring(value.indexOf('.') + 1);
          }
        }
        in.readNBytes(length);
        requests.incrementAndGet();
        Reply reply = replies.getOrDefault(action, Reply.error(400, "com.amazonaws.sqs#UnsupportedOperation",
            "AWS.SimpleQueueService.UnsupportedOperation", "not scripted: " + action));
        byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("HTTP/1.1 " + reply.status() + " Scripted\r\n")
            .append("Content-Type: application/x-amz-json-1.0\r\n")
            .append("x-amzn-RequestId: scripted-").append(requests.get()).append("\r\n")
            .append("Content-Length: ").append(body.length).append("\r\n");
        if (reply.queryErrorHeader() != null) {
          head.append("x-amzn-query-error: ").append(reply.queryErrorHeader()).append("\r\n");
        }
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // the client went away
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        String s = line.toString(StandardCharsets.US_ASCII);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(c);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    socket.close();
    acceptor.interrupt();
  }
}
