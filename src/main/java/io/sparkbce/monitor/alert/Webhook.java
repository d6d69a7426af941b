package io.sparkbce.monitor.alert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Posts alerts as JSON to {@code --alert-webhook URL}: one POST per run with all its new alerts,
 * Slack-compatible ({@code text}, the alert messages for people) with the structured records
 * ({@code alerts}, as in {@code alerts.jsonl}). Each attempt has a connect and a response timeout
 * ({@code --alert-webhook-timeout}, default 10 s); a connection failure, a timeout, HTTP 408, 429
 * or 5xx is retried, up to {@link #ATTEMPTS} attempts with a backoff doubling from 1 s; another
 * status (400, 403, 404...) fails at once. Only the scheme and host of the URL are ever shown or
 * recorded: a webhook's path is often its secret (Slack's are).
 */
public final class Webhook {
  public static final int ATTEMPTS = 3;
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

  /** The outcome: delivered (a 2xx answer) or not, after how many attempts, and why not. */
  public record Delivery(boolean delivered, int attempts, Integer httpStatus, String error) {
    ObjectNode json() {
      ObjectNode o = Alerts.JSON.createObjectNode();
      o.put("status", delivered ? "delivered" : "failed");
      o.put("attempts", attempts);
      if (httpStatus != null) {
        o.put("http_status", httpStatus);
      }
      if (error != null) {
        o.put("error", error);
      }
      return o;
    }
  }

  private final URI uri;
  private final Duration timeout;
  private final int attempts;
  private final Duration firstBackoff;

  public Webhook(URI uri, Duration timeout) {
    this(uri, timeout, ATTEMPTS, FIRST_BACKOFF);
  }

  Webhook(URI uri, Duration timeout, int attempts, Duration firstBackoff) {
    this.uri = uri;
    this.timeout = timeout;
    this.attempts = attempts;
    this.firstBackoff = firstBackoff;
  }

  /** Where the alerts go, without the URL's path or query. */
  public String where() {
    return redacted(uri);
  }

  static String redacted(URI u) {
    return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
        + (u.getRawPath() == null || u.getRawPath().isEmpty() ? "" : "/…");
  }

  /** POSTs {@code json}, retrying as the class says. */
  public Delivery post(String json) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build();
    Integer status = null;
    String error = null;
    Duration backoff = firstBackoff;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      boolean retry;
      try {
        status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status / 100 == 2) {
          return new Delivery(true, attempt, status, null);
        }
        error = "HTTP " + status;
        retry = status >= 500 || status == 408 || status == 429;
      } catch (HttpTimeoutException e) {
        status = null;
        error = "no answer within " + timeout.toMillis() + " ms";
        retry = true;
      } catch (IOException e) {
        status = null;
        error = "cannot connect: " + (e.getMessage() == null ? e.getClass().getSimpleName()
            : e.getMessage());
        retry = true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Delivery(false, attempt, null, "interrupted");
      }
      if (!retry || attempt == attempts) {
        return new Delivery(false, attempt, status, error);
      }
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Delivery(false, attempt, status, error + "; interrupted");
      }
      backoff = backoff.multipliedBy(2);
    }
    throw new IllegalStateException("at least one attempt");
  }
}
