package dev.parley.repository;

import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The company row is locked by the dispatcher's claims and call ends for its slots
 * ({@link Locks#SLOTS}). A create of the same company must not wait for them: it locks nothing of
 * the company's row (V18 took the create's foreign keys to companies away), and the slots' lock is
 * NO KEY UPDATE, so the foreign keys that remain (an inline job's, an API key's) go on beside it.
 * Claims of the company still wait for each other.
 */
class CompanyRowLocksIT {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("companylocks");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aCreateGoesOnWhileAClaimHoldsTheCompanysSlotsAndClaimsStillQueue() throws Exception {
    Tenant t = server.company("Slots", "read:interviews,write:interviews", "--call-window", "00:00-24:00");
    String later = OffsetDateTime.now().plusDays(2).toString();
    try (Connection claim = server.database.connect(); Connection otherClaim = server.database.connect()) {
      claim.setAutoCommit(false);
      lockSlots(claim, t.companyId());

      // an inline candidate, agent and job: every insert of the create, the job's key to the company included
      CompletableFuture<Response> create = CompletableFuture.supplyAsync(() -> server.post("/interviews", t.key(),
        "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"phoneNumber\":\"+421915123456\"},"
          + "\"agent\":{\"name\":\"Screening\",\"questions\":[\"Why us?\"]},"
          + "\"job\":{\"title\":\"Engineer\",\"description\":\"Builds things\"},\"scheduledAt\":\"" + later + "\"}"));
      // answered while the claim's lock is still held: a create queued behind it would wait for good
      Response created = create.get(20, TimeUnit.SECONDS);
      assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
      assertThat(created.data().getString("jobId")).isNotNull();

      // another claim of the company waits for the first
      otherClaim.setAutoCommit(false);
      CompletableFuture<Void> second = CompletableFuture.runAsync(() -> lockSlots(otherClaim, t.companyId()));
      await().atMost(Duration.ofSeconds(20)).until(() -> Sql.waitingOnALock(server.database, "max_concurrent_calls - active_calls"));
      assertThat(second).isNotDone();
      claim.commit();
      second.get(20, TimeUnit.SECONDS);
      otherClaim.commit();
    }
  }

  private static void lockSlots(Connection c, String companyId) {
    try (PreparedStatement slots = c.prepareStatement(Locks.SLOTS.replace("$1", "?"))) {
      Array ids = c.createArrayOf("uuid", new Object[] {UUID.fromString(companyId)});
      slots.setArray(1, ids);
      slots.executeQuery().close();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
