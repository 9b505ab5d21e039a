package io.kmsgw.crypto.exec;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.backend.BackendSession;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.key.KeyVersion;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a worker owns: its HSM session and the key versions loaded into it. Loaded handles are kept in
 * an LRU map so a hot key is unwrapped once per worker; evicted handles are destroyed in the HSM.
 */
public final class WorkerContext {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WorkerContext.class);
    private final BackendSession session;
    private final Map<String, Long> loaded;
    /** How many retirements this context has acted on (see {@link Retirements}). */
    private long retiredSeen;

    WorkerContext(BackendSession session, int maxLoadedKeys) {
        this.session = session;
        this.loaded = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                if (size() > maxLoadedKeys) {
                    session.unload(eldest.getValue());
                    return true;
                }
                return false;
            }
        };
    }

    public BackendSession session() {
        return session;
    }

    /**
     * Destroys the loaded copies of versions retired since the last call (their material is gone from the store): at most
     * one volatile read when nothing was retired.
     */
    void forgetRetired(Retirements retirements) {
        long now = retirements.count();
        if (now == retiredSeen) {
            return;
        }
        List<String> ids = retirements.between(retiredSeen, now);
        if (ids == null) {
            loaded.values().forEach(session::unload);
            loaded.clear();
        } else {
            for (String id : ids) {
                Long h = loaded.remove(id);
                if (h != null) {
                    session.unload(h);
                }
                Long pub = loaded.remove(id + "#public");
                if (pub != null) {
                    session.unload(pub);
                }
            }
        }
        retiredSeen = now;
    }

    /** The session handle of a key version's secret or private key, unwrapping it on first use. */
    public long handle(KeyVersion version, KeySpec spec) {
        Long h = loaded.get(version.versionId());
        if (h == null) {
            try {
                h = session.load(kindOf(spec), version.wrappedMaterial());
            } catch (KmsException e) {
                throw e.error() == KmsError.KEY_MATERIAL_DAMAGED ? damaged(version) : e;
            }
            loaded.put(version.versionId(), h);
        }
        return h;
    }

    /** Versions already reported as damaged, so the log names each once, not once per request. */
    private static final java.util.Set<String> REPORTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static KmsException damaged(KeyVersion version) {
        if (REPORTED.add(version.versionId()) && REPORTED.size() < 10_000) {
            LOG.error("key {} version {}: its stored material does not unwrap in the HSM (damaged, or wrapped under another master key);"
                    + " restore it from a backup (kmsgw verify lists every such version)", version.keyId(), version.versionId());
        }
        return new KmsException(KmsError.KEY_MATERIAL_DAMAGED, "The material of key version " + version.versionId()
                + " cannot be used: it does not unwrap in the HSM.");
    }

    /** The session handle of a key version's public key (RSA, EC), imported on first use. */
    public long publicHandle(KeyVersion version, KeySpec spec) {
        String cacheKey = version.versionId() + "#public";
        Long h = loaded.get(cacheKey);
        if (h == null) {
            h = session.loadPublic(kindOf(spec), version.publicKey());
            loaded.put(cacheKey, h);
        }
        return h;
    }

    /** The backend's key kind for a spec. */
    public static BackendSession.KeyKind kindOf(KeySpec spec) {
        return switch (spec.kind()) {
            case AES -> BackendSession.KeyKind.AES;
            case SM4 -> BackendSession.KeyKind.SM4;
            case HMAC -> BackendSession.KeyKind.HMAC;
            case RSA -> BackendSession.KeyKind.RSA;
            case EC -> BackendSession.KeyKind.EC;
            case SM2 -> BackendSession.KeyKind.SM2;
        };
    }

    int loadedCount() {
        return loaded.size();
    }
}
