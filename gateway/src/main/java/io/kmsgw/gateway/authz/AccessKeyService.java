package io.kmsgw.gateway.authz;

import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Sealing;
import io.kmsgw.gateway.auth.AccessKeyRegistry;
import io.kmsgw.gateway.authz.AccessModel.AccessKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AccessKeys for the KMS OpenAPI (2016-01-20) front door, each bound to an AAP and authorized exactly as that AAP's client
 * keys are. The secret is made here, shown once in {@link #create}'s answer, and stored only sealed under the HSM's master
 * key ({@link Sealing}, bound to the AccessKey's id); each gateway opens it once, on the reload that first sees it.
 * Management calls block (store and HSM): run them off event loops.
 */
public final class AccessKeyService {
    private static final Logger LOG = LoggerFactory.getLogger(AccessKeyService.class);
    private static final char[] ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    /** The prefix of kmsgw's AccessKey ids (Alibaba Cloud's own start with LTAI: these are told apart at a glance). */
    public static final String ID_PREFIX = "KGAK";
    private static final int ID_RANDOM_CHARS = 20;
    private static final int SECRET_CHARS = 30;
    /** At most this many live AccessKeys per AAP, as Alibaba Cloud allows two per RAM user: enough to rotate. */
    public static final int MAX_PER_AAP = 2;

    private final AccessRepository repo;
    private final AccessService access;
    private final AccessKeyRegistry registry;
    private final Sealing sealing;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** Secrets opened so far, by id: a reload opens only AccessKeys it has not seen. */
    private final Map<String, AccessKeyRegistry.Entry> opened = new HashMap<>();

    /** A new AccessKey with its secret (the only time the secret is shown). */
    public record Created(String accessKeyId, String accessKeySecret, String aapName, java.time.Instant created) {
        @Override
        public String toString() {
            return "Created[" + accessKeyId + "]";
        }
    }

    public AccessKeyService(AccessRepository repo, AccessService access, AccessKeyRegistry registry, Sealing sealing, Clock clock) {
        this.repo = repo;
        this.access = access;
        this.registry = registry;
        this.sealing = sealing;
        this.clock = clock;
        access.onReload(this::reload);
        reload();
    }

    /** Re-reads the AccessKeys; secrets not yet opened on this gateway are unsealed (an HSM call each). */
    public synchronized void reload() {
        List<AccessKey> all = repo.accessKeys();
        List<AccessKeyRegistry.Entry> live = new ArrayList<>();
        Map<String, AccessKeyRegistry.Entry> keep = new HashMap<>();
        for (AccessKey k : all) {
            if (k.isDeleted()) {
                continue;
            }
            AccessKeyRegistry.Entry e = opened.get(k.accessKeyId());
            if (e == null || !e.aapName().equals(k.aapName())) {
                e = new AccessKeyRegistry.Entry(k.accessKeyId(), k.aapName(), open(k));
            }
            keep.put(k.accessKeyId(), e);
            live.add(e);
        }
        for (Map.Entry<String, AccessKeyRegistry.Entry> gone : opened.entrySet()) {
            if (!keep.containsKey(gone.getKey()) && gone.getValue().secret() != null) {
                java.util.Arrays.fill(gone.getValue().secret(), (byte) 0);
            }
        }
        opened.clear();
        opened.putAll(keep);
        registry.replaceAll(live);
    }

    private byte[] open(AccessKey k) {
        try {
            return sealing.unseal(k.sealedSecret(), context(k.accessKeyId(), k.aapName()));
        } catch (KmsException e) {
            LOG.error("AccessKey {} of AAP {}: its sealed secret does not open ({}); its requests are refused until the store is restored "
                    + "or a new AccessKey replaces it", k.accessKeyId(), k.aapName(), e.error());
            return null;
        }
    }

    /** The sealing context: the secret opens only as this AccessKey's, of this AAP. */
    private static String context(String accessKeyId, String aapName) {
        return "access-key/" + accessKeyId + "/" + aapName;
    }

    /** A new AccessKey for {@code aapName}; its secret is in the answer only. */
    public synchronized Created create(String aapName) {
        access.describeAap(aapName);
        long live = repo.accessKeys().stream().filter(k -> !k.isDeleted() && k.aapName().equals(aapName)).count();
        if (live >= MAX_PER_AAP) {
            throw AccessException.conflict("The application access point " + aapName + " already has " + MAX_PER_AAP
                    + " AccessKeys; delete one before creating another.");
        }
        String id = ID_PREFIX + randomText(ID_RANDOM_CHARS);
        String secret = randomText(SECRET_CHARS);
        byte[] secretBytes = secret.getBytes(StandardCharsets.US_ASCII);
        byte[] sealed;
        try {
            sealed = sealing.seal(secretBytes, context(id, aapName));
        } finally {
            java.util.Arrays.fill(secretBytes, (byte) 0);
        }
        AccessKey k = new AccessKey(id, aapName, sealed, clock.instant(), null);
        write(() -> repo.insert(k));
        return new Created(id, secret, aapName, k.created());
    }

    /** Deletes an AccessKey: from the next request on it authenticates nothing, here and (once followed) on every replica. */
    public synchronized void delete(String accessKeyId) {
        AccessKey k = find(accessKeyId);
        if (k == null || k.isDeleted()) {
            throw AccessException.notFound("AccessKey", accessKeyId);
        }
        write(() -> repo.deleteAccessKey(accessKeyId, clock.instant()));
    }

    /** Live AccessKeys, optionally of one AAP, without secrets. */
    public List<AccessKey> list(String aapName) {
        return repo.accessKeys().stream().filter(k -> !k.isDeleted())
                .filter(k -> aapName == null || aapName.isEmpty() || k.aapName().equals(aapName)).toList();
    }

    /** Whether the AccessKey's secret opened on this gateway (false: its requests are refused). */
    public synchronized boolean usable(String accessKeyId) {
        AccessKeyRegistry.Entry e = opened.get(accessKeyId);
        return e != null && e.secret() != null;
    }

    private AccessKey find(String accessKeyId) {
        return repo.accessKeys().stream().filter(k -> k.accessKeyId().equals(accessKeyId)).findFirst().orElse(null);
    }

    private String randomText(int n) {
        char[] out = new char[n];
        for (int i = 0; i < n; i++) {
            out[i] = ALPHANUMERIC[random.nextInt(ALPHANUMERIC.length)];
        }
        return new String(out);
    }

    private void write(Runnable r) {
        AccessService.write(r, this::reload);
    }
}
