package io.github.sqsconsumer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class DelayProxyTest {

  /** Echoes every byte back, on one connection at a time. */
  private static Thread echo(ServerSocket server) {
    return Thread.ofVirtual().start(() -> {
      try (Socket socket = server.accept(); InputStream in = socket.getInputStream();
          OutputStream out = socket.getOutputStream()) {
        in.transferTo(out);
      } catch (Exception e) {
        // the test closes the server
      }
    });
  }

  @Test
  void roundTrip_takesTheDelayLonger() throws Exception {
    try (ServerSocket upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread echo = echo(upstream);
      URI target = URI.create("http://127.0.0.1:" + upstream.getLocalPort());
      try (DelayProxy proxy = new DelayProxy(target, Duration.ofMillis(50))) {
        assertThat(proxy.endpoint().getHost()).isEqualTo("127.0.0.1");
        try (Socket client = new Socket(proxy.endpoint().getHost(), proxy.endpoint().getPort())) {
          OutputStream out = client.getOutputStream();
          InputStream in = client.getInputStream();
          for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            out.write(new byte[] {1, 2, 3});
            out.flush();
            assertThat(in.readNBytes(3)).containsExactly(1, 2, 3);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
          }
        }
        assertThat(proxy.connections()).isEqualTo(1);
        assertThat(proxy.chunks()).isEqualTo(3);
      }
      echo.join(5_000);
      assertThat(echo.isAlive()).isFalse();
    }
  }

  @Test
  void close_endsOpenConnections() throws Exception {
    try (ServerSocket upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread echo = echo(upstream);
      DelayProxy proxy = new DelayProxy(URI.create("http://127.0.0.1:" + upstream.getLocalPort()), Duration.ZERO);
      try (Socket client = new Socket(proxy.endpoint().getHost(), proxy.endpoint().getPort())) {
        client.getOutputStream().write(7);
        assertThat(client.getInputStream().read()).isEqualTo(7);
        proxy.close();
        assertThat(client.getInputStream().read()).isEqualTo(-1); // the proxy closed its side
      }
      echo.join(5_000);
      assertThat(echo.isAlive()).isFalse();
    }
  }
}
