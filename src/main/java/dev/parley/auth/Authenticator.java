package dev.parley.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.parley.bus.Bus;
import dev.parley.client.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.common.RateLimit;
import dev.parley.common.UuidText;
import dev.parley.secrets.ServerSecrets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;

import java.time.Duration;
import java.util.Map;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Turns a bearer credential into a {@link Principal}, or fails with a 401 code.
 *
 * <p>API keys are looked up by their hash through the persistence verticle and cached for
 * {@code keyCacheSeconds} (5 s by default): a request costs no database round trip while the
 * entry is fresh, and a revocation or suspension takes effect within that time. Unknown keys are
 * remembered as long, apart from the known ones: a client hammering with a bad key does not reach
 * the database on each request, and a flood of bogus keys never pushes a real key out of its cache.
 * Expiry is checked on every request against the cached expiry time.
 *
 * <p>A client address past its budget of failed authentications ({@code Api}) is checked
 * {@linkplain #authenticate(String, boolean) without lookups}: a key known from the cache and a
 * JWT still pass (they cost no database round trip), any other key is refused with 429 at once.
 */
public final class Authenticator {
  private final Vertx vertx;
  /** The peppers keys are hashed under, the current one first ({@link ServerSecrets#peppers()}). */
  private final java.util.List<ServerSecrets.Pepper> peppers;
  /** JWT verifiers by kid; the first is the signing key, used for tokens without a kid. */
  private final Map<String, JWTAuth> jwt;
  /** Known keys by their hash under the current pepper; a lookup that finds nothing leaves no entry. */
  private final AsyncCache<String, KnownKey> keys;
  /** Hashes of keys the database does not know, remembered as long as known ones. */
  private final Cache<String, Boolean> unknownKeys;
  private final AsyncCache<String, Optional<String>> companyOwners;

  /** parley_api_key_lookups_total by outcome: the keys the caches did not know, looked up in PostgreSQL. */
  private final Counter lookedUpKnown, lookedUpUnknown;

  public Authenticator(Vertx vertx, ServerSecrets secrets, Map<String, JWTAuth> jwt, int keyCacheSeconds, MeterRegistry registry) {
    this.vertx = vertx;
    String description = "API keys looked up in PostgreSQL (not known from the cache), by outcome: known, unknown";
    this.lookedUpKnown = Counter.builder("parley.api.key.lookups").tag("outcome", "known").description(description).register(registry);
    this.lookedUpUnknown = Counter.builder("parley.api.key.lookups").tag("outcome", "unknown").description(description).register(registry);
    this.peppers = secrets.peppers();
    this.jwt = jwt;
    this.keys = Caffeine.newBuilder()
      .expireAfterWrite(Duration.ofSeconds(keyCacheSeconds))
      .maximumSize(100_000)
      .buildAsync();
    this.unknownKeys = Caffeine.newBuilder()
      .expireAfterWrite(Duration.ofSeconds(keyCacheSeconds))
      .maximumSize(100_000)
      .build();
    // A company's partner never changes, so this cache only bounds memory.
    this.companyOwners = Caffeine.newBuilder()
      .expireAfterWrite(Duration.ofMinutes(10))
      .maximumSize(100_000)
      .buildAsync();
  }

  public Future<Principal> authenticate(String authorization) {
    return authenticate(authorization, true);
  }

  /**
   * @param lookups false for a client past its failed-authentication budget: an API key that is
   *                not cached as known is refused with RATE_LIMITED instead of being looked up
   */
  public Future<Principal> authenticate(String authorization, boolean lookups) {
    if (authorization == null || authorization.isBlank()) {
      return Future.failedFuture(new ParleyException(ErrorCode.INVALID_API_KEY, "Missing API key: send Authorization: Bearer <key>"));
    }
    String header = authorization.trim();
    if (header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Future.failedFuture(new ParleyException(ErrorCode.INVALID_API_KEY, "Malformed Authorization header: expected Bearer <key>"));
    }
    String credential = header.substring(7).trim();
    if (credential.startsWith("sk_")) return apiKey(credential, lookups);
    if (credential.chars().filter(ch -> ch == '.').count() == 2) return jwt(credential);
    return Future.failedFuture(new ParleyException(ErrorCode.INVALID_API_KEY, "Malformed API key"));
  }

  private Future<Principal> apiKey(String key, boolean lookups) {
    if (!ApiKeys.wellFormed(key)) {
      return Future.failedFuture(new ParleyException(ErrorCode.INVALID_API_KEY, "Malformed API key"));
    }
    String hash = ApiKeys.hashHex(peppers.get(0).key(), key);
    if (unknownKeys.getIfPresent(hash) != null) return unknown();
    if (!lookups) {
      CompletableFuture<KnownKey> known = keys.getIfPresent(hash);
      if (known == null || !known.isDone() || known.isCompletedExceptionally() || known.join() == null) {
        return Future.failedFuture(tooManyFailures());
      }
    }
    // A null result leaves no cache entry (Caffeine drops it): unknown keys live apart, in unknownKeys.
    return cached(keys, hash, () -> lookUp(key, hash))
      .compose(found -> {
        if (found != null) return found.check();
        // remembered apart from the known keys: bogus keys never push a real one out of its cache
        unknownKeys.put(hash, Boolean.TRUE);
        return unknown();
      });
  }

  /**
   * One lookup by the key's hash under every pepper (one statement, {@code key_hash = ANY}). A key
   * found under an older pepper gets its hash under the current one, so that once every key in use
   * has been seen the older pepper can go (docs/operations.md, rotating the pepper).
   */
  private Future<KnownKey> lookUp(String key, String currentHash) {
    JsonArray hashes = new JsonArray().add(currentHash);
    for (int i = 1; i < peppers.size(); i++) hashes.add(ApiKeys.hashHex(peppers.get(i).key(), key));
    return Bus.<JsonObject>request(vertx, Bus.API_KEY_LOOKUP, new JsonObject().put("keyHashes", hashes))
      .map(reply -> {
        JsonObject found = reply.getJsonObject("key");
        (found != null ? lookedUpKnown : lookedUpUnknown).increment();
        if (found == null) return null;
        if (!currentHash.equals(found.getString("keyHash"))) {
          // best effort: a failed rehash is tried again on the key's next lookup
          Bus.request(vertx, Bus.API_KEY_REHASH, new JsonObject().put("from", found.getString("keyHash"))
            .put("to", currentHash).put("version", peppers.get(0).version()));
        }
        return KnownKey.of(found, ApiKeys.live(key));
      });
  }

  private static Future<Principal> unknown() {
    return Future.failedFuture(new ParleyException(ErrorCode.INVALID_API_KEY, "Unknown API key"));
  }

  /** What a client past its failed-authentication budget gets for a key that would need a lookup. */
  public static ParleyException tooManyFailures() {
    return new ParleyException(ErrorCode.RATE_LIMITED, "Too many failed authentications from this address: retry later");
  }

  /**
   * A key as the cache keeps it: its principal is built once per lookup, not on every request;
   * what can refuse it is checked on every request, the expiry against the clock.
   */
  private record KnownKey(Principal principal, boolean revoked, Long expiresAtMillis, String suspendedAt, String suspendedReason) {
    static KnownKey of(JsonObject k, boolean live) {
      Integer perMinute = k.getInteger("rateLimitMinute"), perHour = k.getInteger("rateLimitHour");
      RateLimit limit = perMinute == null && perHour == null ? null
        : new RateLimit(perMinute == null ? 0 : perMinute, perHour == null ? 0 : perHour);
      Principal principal = new Principal(k.getString("id"), null, k.getString("companyId"), k.getString("partnerId"),
        toSet(k.getJsonArray("scopes")), Principal.Kind.API_KEY, limit, live);
      return new KnownKey(principal, k.getString("revokedAt") != null, k.getLong("expiresAtMillis"),
        k.getString("suspendedAt"), k.getString("suspendedReason"));
    }

    Future<Principal> check() {
      if (revoked) {
        return Future.failedFuture(new ParleyException(ErrorCode.INVALID_API_KEY, "API key has been revoked"));
      }
      if (expiresAtMillis != null && expiresAtMillis <= System.currentTimeMillis()) {
        return Future.failedFuture(new ParleyException(ErrorCode.INVALID_API_KEY, "API key has expired"));
      }
      if (suspendedAt != null) {
        return Future.failedFuture(new ParleyException(ErrorCode.API_KEY_SUSPENDED, "API key is suspended",
          new JsonObject().put("suspendedAt", suspendedAt).put("reason", suspendedReason)));
      }
      return Future.succeededFuture(principal);
    }
  }

  private Future<Principal> jwt(String token) {
    String kid = Jwt.kid(token);
    JWTAuth verifier = kid == null ? jwt.values().iterator().next() : jwt.get(kid);
    if (verifier == null) {
      return Future.failedFuture(new ParleyException(ErrorCode.INVALID_API_KEY, "Invalid or expired token"));
    }
    return verifier.authenticate(new TokenCredentials(token))
      .recover(e -> Future.failedFuture(new ParleyException(ErrorCode.INVALID_API_KEY, "Invalid or expired token")))
      .compose(user -> {
        JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
        try {
          return Future.succeededFuture(principal(claims));
        } catch (IllegalArgumentException | ClassCastException e) {
          return Future.failedFuture(new ParleyException(ErrorCode.INVALID_API_KEY, "Invalid token: " + e.getMessage()));
        }
      });
  }

  /**
   * The principal a verified token names. It must carry exp, a subject (the audit names it) and
   * exactly one of companyId or partnerId, as a UUID; scopes and rateLimit ("MINUTE/HOUR") are optional.
   */
  static Principal principal(JsonObject claims) {
    String subject = claims.getString("sub");
    String companyId = claims.getString("companyId");
    String partnerId = claims.getString("partnerId");
    if (claims.getValue("exp") == null) throw new IllegalArgumentException("it carries no exp");
    if (subject == null || subject.isBlank()) throw new IllegalArgumentException("it carries no sub");
    if ((companyId == null) == (partnerId == null)) {
      throw new IllegalArgumentException("it must carry exactly one of companyId or partnerId");
    }
    if (!UuidText.matches(companyId != null ? companyId : partnerId)) {
      throw new IllegalArgumentException((companyId != null ? "companyId" : "partnerId") + " is not a UUID");
    }
    Object scopes = claims.getValue("scopes");
    Set<String> set = scopes instanceof JsonArray a ? toSet(a) : Set.of();
    String rateLimit = claims.getString("rateLimit");
    return new Principal(null, subject, companyId, partnerId, set, Principal.Kind.JWT,
      rateLimit == null ? null : RateLimit.parse(rateLimit), true);
  }

  /**
   * Whether an ATS partner created this company. Cached: the answer never changes once the
   * company exists.
   */
  public Future<Boolean> partnerOwns(String partnerId, String companyId) {
    return cached(companyOwners, companyId,
      () -> Bus.<JsonObject>request(vertx, Bus.COMPANY_OWNER, new JsonObject().put("companyId", companyId))
        .map(reply -> Optional.ofNullable(reply.getString("partnerId"))))
      .map(owner -> owner.map(partnerId::equals).orElse(false));
  }

  /** One lookup per key at a time, shared by concurrent requests; results delivered on the caller's context. */
  private <V> Future<V> cached(AsyncCache<String, V> cache, String key, java.util.function.Supplier<Future<V>> loader) {
    Context ctx = vertx.getOrCreateContext();
    CompletableFuture<V> cf = cache.get(key, (k, executor) -> loader.get().toCompletionStage().toCompletableFuture());
    if (cf.isDone() && !cf.isCompletedExceptionally()) return Future.succeededFuture(cf.join());
    return Future.fromCompletionStage(cf, ctx);
  }

  private static Set<String> toSet(JsonArray a) {
    Set<String> s = new HashSet<>();
    if (a != null) for (Object o : a) s.add(String.valueOf(o));
    return Set.copyOf(s);
  }
}
