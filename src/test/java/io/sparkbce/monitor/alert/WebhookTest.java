package io.sparkbce.monitor.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Webhook} against a JDK HttpServer on 127.0.0.1: success, retries, failures, timeout. */
@Timeout(60)
public class WebhookTest {
  private static final Duration BACKOFF = Duration.ofMillis(20);

  /** A local server answering the n-th request (from 1) with {@code status(n)}; 0: no answer. */
  static final class Server implements AutoCloseable {
    final HttpServer http;
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "webhook-test-server");
      t.setDaemon(true);
      return t;
    });

    Server(IntUnaryOperator status) throws IOException {
      http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      http.setExecutor(pool);
      http.createContext("/hooks/secret-token", ex -> {
        bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        int code = status.applyAsInt(requests.incrementAndGet());
        if (code == 0) {
          try {
            Thread.sleep(5_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        ex.sendResponseHeaders(code == 0 ? 200 : code, -1);
        ex.close();
      });
      http.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/hooks/secret-token");
    }

    @Override
    public void close() {
      http.stop(0);
      pool.shutdownNow();
    }
  }

  private Server server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private Webhook webhook(Duration timeout) {
    return new Webhook(server.uri(), timeout, 3, BACKOFF);
  }

  @Test
  void deliversTheBodyOnceOn200() throws IOException {
    server = new Server(n -> 200);
    Webhook.Delivery d = webhook(Duration.ofSeconds(5)).post("{\"text\":\"hi\"}");
    assertEquals(new Webhook.Delivery(true, 1, 200, null), d);
    assertEquals(List.of("{\"text\":\"hi\"}"), server.bodies);
  }

  @Test
  void retriesA500AndDeliversOnThe200ThatFollows() throws IOException {
    server = new Server(n -> n == 1 ? 500 : 200);
    Webhook.Delivery d = webhook(Duration.ofSeconds(5)).post("{}");
    assertTrue(d.delivered());
    assertEquals(2, d.attempts());
    assertEquals(2, server.requests.get());
  }

  @Test
  void givesUpAfterTheAttemptsOnPersistent5xxAndAtOnceOn404() throws IOException {
    server = new Server(n -> 503);
    assertEquals(new Webhook.Delivery(false, 3, 503, "HTTP 503"),
        webhook(Duration.ofSeconds(5)).post("{}"));
    assertEquals(3, server.requests.get());
    server.close();
    server = new Server(n -> 404);
    assertEquals(new Webhook.Delivery(false, 1, 404, "HTTP 404"),
        webhook(Duration.ofSeconds(5)).post("{}"));
  }

  @Test
  void aServerThatIsDownIsReportedAfterTheAttempts() throws IOException {
    server = new Server(n -> 200);
    Webhook hook = webhook(Duration.ofSeconds(5));
    server.close();
    Webhook.Delivery d = hook.post("{}");
    assertFalse(d.delivered());
    assertEquals(3, d.attempts());
    assertNull(d.httpStatus());
    assertTrue(d.error().startsWith("cannot connect"), d.error());
  }

  @Test
  void aServerThatDoesNotAnswerInTimeIsATimeout() throws IOException {
    server = new Server(n -> 0);
    long t0 = System.nanoTime();
    Webhook.Delivery d = new Webhook(server.uri(), Duration.ofMillis(300), 2, BACKOFF).post("{}");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(new Webhook.Delivery(false, 2, null, "no answer within 300 ms"), d);
    // Without the timeout the call never returns; the margin is for a loaded CI machine.
    assertTrue(ms < 15_000, "two attempts of 300 ms took " + ms + " ms");
  }

  @Test
  void onlySchemeAndHostAreShownNeverThePath() throws IOException {
    server = new Server(n -> 200);
    String where = webhook(Duration.ofSeconds(1)).where();
    assertEquals("http://127.0.0.1:" + server.http.getAddress().getPort() + "/…", where);
    assertFalse(where.contains("secret"));
  }
}
