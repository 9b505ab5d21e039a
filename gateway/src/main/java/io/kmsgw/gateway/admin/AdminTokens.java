package io.kmsgw.gateway.admin;

import io.kmsgw.crypto.store.Store;
import io.kmsgw.crypto.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin plane's credentials: bearer tokens, each with a role, kept in the store as keyed hashes.
 *
 * <p>Design notes.
 * <ul>
 * <li><b>Hash.</b> A token is 256 random bits, so its hash cannot be reversed or guessed from a leaked store whatever the
 * hash's speed: a slow password hash (PBKDF2, Argon2) buys nothing for such a secret and would cost milliseconds of CPU
 * on every admin call, which a flood of wrong tokens could turn against the plane. HMAC-SHA-256 keyed per instance
 * (the key is derived from the instance id) keeps one instance's hashes meaningless for another. Looking the hash up in a
 * map is not constant-time, and need not be: what timing could reveal is how much of the HMAC of the attacker's own guess
 * matches a stored one, which brings no guess closer to a token.</li>
 * <li><b>Two checks.</b> The event loop checks a presented token against the in-memory view (a map lookup after one
 * HMAC), so a flood of wrong tokens never reaches the store or the admin executor. A token that passes is checked again
 * on the executor against its row in the store ({@link #confirm}), so a revocation or expiry made on any replica holds
 * from the next request on, without waiting for the change notification. When the store cannot be read the in-memory
 * view decides (it follows the store's notifications and periodic resync).</li>
 * <li><b>The bootstrap token.</b> {@code DATA/admin.token} is the first {@code Admin} token, id {@value #BOOTSTRAP_ID}. It
 * can be revoked once another unexpired {@code Admin} token exists; the last one never can (revocations are serialised
 * across replicas by the store's lock {@code admin-tokens}). A revoked bootstrap token stays revoked across restarts.</li>
 * <li><b>Last use</b> is written at most once a minute per token, from {@link #confirm}.</li>
 * </ul>
 */
public final class AdminTokens {
    private static final Logger LOG = LoggerFactory.getLogger(AdminTokens.class);
    /** The store topic announcing a change of admin tokens to the other replicas. */
    public static final String TOPIC = "admin-tokens";
    /** The bootstrap token's id (it is the file's name). */
    public static final String BOOTSTRAP_ID = "admin.token";
    static final int MAX_ACTIVE = 1000;
    private static final long LAST_USED_GRANULARITY_MILLIS = 60_000;
    private static final String PREFIX = "kmsgw_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String COLUMNS = "token_id, role, description, token_hash, created_millis, expires_millis, revoked_millis, "
            + "last_used_millis";

    /** One token as stored, never its value. {@code expiresMillis}, {@code revokedMillis}, {@code lastUsedMillis}: 0 = none. */
    public record Token(String id, AdminRole role, String description, String hash, long createdMillis, long expiresMillis,
                        long revokedMillis, long lastUsedMillis) {
        public boolean revoked() {
            return revokedMillis != 0;
        }

        public boolean expired(long now) {
            return expiresMillis != 0 && expiresMillis <= now;
        }

        public boolean active(long now) {
            return !revoked() && !expired(now);
        }

        /** {@code Active}, {@code Revoked} or {@code Expired}. */
        public String state(long now) {
            return revoked() ? "Revoked" : expired(now) ? "Expired" : "Active";
        }
    }

    /** A new token and its value, which is shown once and kept nowhere. */
    public record Created(Token token, String value) {
    }

    /** The result of checking a presented bearer token: the token, or why it was refused (a 401 code and message). */
    public record Check(Token token, String code, String message) {
        public boolean ok() {
            return token != null;
        }
    }

    private static final Check UNKNOWN = new Check(null, "Unauthorized", "A valid admin bearer token is required.");

    private final Store store;
    private final Clock clock;
    private final byte[] hashKey;
    private final ThreadLocal<Mac> macs;
    /** Every token by hash (revoked and expired too, so a refusal can say why); replaced whole on reload. */
    private volatile Map<String, Token> byHash = Map.of();
    /** Last uses seen here and not yet written (the store's value lags by up to a minute). */
    private final Map<String, Long> lastUsed = new ConcurrentHashMap<>();

    public AdminTokens(Store store, String instanceId, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.hashKey = sha256(("kmsgw admin token v1 " + instanceId).getBytes(StandardCharsets.UTF_8));
        this.macs = ThreadLocal.withInitial(this::newMac);
        store.migrate("admin-tokens", List.of(
                "CREATE TABLE admin_token (token_id VARCHAR(64) PRIMARY KEY, role VARCHAR(16) NOT NULL, "
                        + "description VARCHAR(1024) NOT NULL, token_hash VARCHAR(64) NOT NULL UNIQUE, created_millis BIGINT NOT NULL, "
                        + "expires_millis BIGINT NOT NULL, revoked_millis BIGINT NOT NULL, last_used_millis BIGINT NOT NULL)"));
    }

    /**
     * Makes {@code value} (the content of {@code admin.token}) the bootstrap {@code Admin} token: inserted on the instance's
     * first start; when the file's content changed, the active bootstrap token takes the new value; a revoked one stays
     * revoked. Then loads every token.
     */
    public void bootstrap(String value) {
        String hash = hash(value);
        store.exclusive(TOPIC, () -> store.write(TOPIC, c -> {
            Token t = byId(c, BOOTSTRAP_ID);
            if (t == null) {
                insert(c, new Token(BOOTSTRAP_ID, AdminRole.ADMIN, "The bootstrap token (DATA/admin.token)", hash, clock.millis(), 0, 0, 0));
            } else if (!t.hash().equals(hash) && !t.revoked()) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE admin_token SET token_hash = ? WHERE token_id = ?")) {
                    ps.setString(1, hash);
                    ps.setString(2, BOOTSTRAP_ID);
                    ps.executeUpdate();
                }
                LOG.warn("admin.token changed since the last start: the bootstrap admin token now has the file's value");
            }
            return null;
        }));
        reload();
    }

    /** Reads every token from the store (at start and when another replica changed them). */
    public void reload() {
        List<Token> all = store.read(AdminTokens::all);
        Map<String, Token> m = new HashMap<>();
        for (Token t : all) {
            m.put(t.hash(), t);
        }
        byHash = Map.copyOf(m);
    }

    /** The event loop's check of an {@code Authorization} header's value ({@code Bearer <token>}); no I/O. */
    public Check check(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() > 512) {
            return UNKNOWN;
        }
        Token t = byHash.get(hash(authorization.substring(7).trim()));
        return refusal(t, clock.millis());
    }

    private static Check refusal(Token t, long now) {
        if (t == null) {
            return UNKNOWN;
        }
        if (t.revoked()) {
            return new Check(null, "AdminTokenRevoked", "The admin token " + t.id() + " was revoked; use another admin token.");
        }
        if (t.expired(now)) {
            return new Check(null, "AdminTokenExpired", "The admin token " + t.id() + " expired at "
                    + java.time.Instant.ofEpochMilli(t.expiresMillis()) + "; use another admin token.");
        }
        return new Check(t, null, null);
    }

    /**
     * The executor's check of a token the event loop accepted, against its row in the store: a revocation or expiry made on
     * any replica counts from the next request on. Records the use. Blocking.
     */
    public Check confirm(Token t) {
        long now = clock.millis();
        Token row;
        try {
            row = store.read(c -> byId(c, t.id()));
        } catch (StoreException e) {
            LOG.warn("cannot read admin token {} from the store ({}); the in-memory view decides", t.id(), e.getMessage());
            return refusal(t, now);
        }
        if (row == null || !row.hash().equals(t.hash())) {
            return UNKNOWN;
        }
        Check c = refusal(row, now);
        if (c.ok()) {
            lastUsed.merge(t.id(), now, Math::max);
            if (now - row.lastUsedMillis() >= LAST_USED_GRANULARITY_MILLIS) {
                try {
                    store.write(w -> {
                        try (PreparedStatement ps = w.prepareStatement("UPDATE admin_token SET last_used_millis = ? WHERE token_id = ?")) {
                            ps.setLong(1, now);
                            ps.setString(2, t.id());
                            ps.executeUpdate();
                        }
                        return null;
                    });
                } catch (StoreException e) {
                    LOG.debug("last use of admin token {} not recorded: {}", t.id(), e.getMessage());
                }
            }
        }
        return c;
    }

    /** {@code CreateAdminToken}: a new token with {@code role}, expiring after {@code expiresInDays} (0 = never). */
    public Created create(AdminRole role, String description, int expiresInDays) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String value = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        byte[] idBytes = new byte[10];
        RANDOM.nextBytes(idBytes);
        String id = "at-" + HexFormat.of().formatHex(idBytes);
        long now = clock.millis();
        Token t = new Token(id, role, description, hash(value), now, expiresInDays == 0 ? 0 : now + expiresInDays * 86_400_000L, 0, 0);
        store.write(TOPIC, c -> {
            long active = all(c).stream().filter(x -> x.active(now)).count();
            if (active >= MAX_ACTIVE) {
                throw new AdminException(409, "Conflict.TooManyAdminTokens", "There are " + active + " active admin tokens, the most "
                        + "an instance keeps; revoke unused ones first.");
            }
            insert(c, t);
            return null;
        });
        reload();
        return new Created(t, value);
    }

    /** {@code ListAdminTokens}: every token, newest first, with its last use as far as this replica knows. */
    public List<Token> list() {
        List<Token> all = store.read(AdminTokens::all);
        List<Token> out = new ArrayList<>(all.size());
        for (Token t : all) {
            long used = Math.max(t.lastUsedMillis(), lastUsed.getOrDefault(t.id(), 0L));
            out.add(new Token(t.id(), t.role(), t.description(), t.hash(), t.createdMillis(), t.expiresMillis(), t.revokedMillis(), used));
        }
        out.sort((a, b) -> Long.compare(b.createdMillis(), a.createdMillis()));
        return out;
    }

    /**
     * {@code RevokeAdminToken}: from the next request on, on every replica. Revoking a revoked token changes nothing. The last
     * active {@code Admin} token is never revoked (409), so the instance always has a way in.
     */
    public Token revoke(String id) {
        Token done = store.exclusive(TOPIC, () -> store.write(TOPIC, c -> {
            long now = clock.millis();
            List<Token> all = all(c);
            Token t = all.stream().filter(x -> x.id().equals(id)).findFirst()
                    .orElseThrow(() -> new AdminException(404, "AdminToken.NotFound", "There is no admin token " + id + "."));
            if (t.revoked()) {
                return t;
            }
            boolean otherAdmin = all.stream().anyMatch(x -> x != t && x.role() == AdminRole.ADMIN && x.active(now));
            if (t.role() == AdminRole.ADMIN && !otherAdmin) {
                throw new AdminException(409, "Conflict.LastAdminToken", "The admin token " + id + " is the last active Admin token; "
                        + "create another Admin token first (CreateAdminToken with Role Admin).");
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE admin_token SET revoked_millis = ? WHERE token_id = ?")) {
                ps.setLong(1, now);
                ps.setString(2, id);
                ps.executeUpdate();
            }
            return new Token(t.id(), t.role(), t.description(), t.hash(), t.createdMillis(), t.expiresMillis(), now, t.lastUsedMillis());
        }));
        reload();
        LOG.info("admin token {} ({}) revoked", done.id(), done.role());
        return done;
    }

    private static void insert(Connection c, Token t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO admin_token (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, t.id());
            ps.setString(2, t.role().wireName());
            ps.setString(3, t.description());
            ps.setString(4, t.hash());
            ps.setLong(5, t.createdMillis());
            ps.setLong(6, t.expiresMillis());
            ps.setLong(7, t.revokedMillis());
            ps.setLong(8, t.lastUsedMillis());
            ps.executeUpdate();
        }
    }

    private static Token byId(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM admin_token WHERE token_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? row(rs) : null;
            }
        }
    }

    private static List<Token> all(Connection c) throws SQLException {
        List<Token> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM admin_token"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(row(rs));
            }
        }
        return out;
    }

    private static Token row(ResultSet rs) throws SQLException {
        AdminRole role = AdminRole.of(rs.getString(2));
        if (role == null) {
            throw new SQLException("admin token " + rs.getString(1) + " has an unknown role");
        }
        return new Token(rs.getString(1), role, rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8));
    }

    /** The stored form of a token's value: HMAC-SHA-256 under the instance's hash key, hex. */
    String hash(String value) {
        return HexFormat.of().formatHex(macs.get().doFinal(value.getBytes(StandardCharsets.UTF_8)));
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(hashKey, "HmacSHA256"));
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
