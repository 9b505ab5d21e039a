package io.kmsgw.crypto.exec;

import io.kmsgw.crypto.backend.BackendSession;
import io.kmsgw.crypto.key.KeyVersion;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a worker owns: its HSM session and the key versions loaded into it. Loaded handles are kept in
 * an LRU map so a hot key is unwrapped once per worker; evicted handles are destroyed in the HSM.
 */
public final class WorkerContext {
    private final BackendSession session;
    private final Map<String, Long> loaded;

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

    /** The session handle of a key version, unwrapping it on first use. */
    public long handle(KeyVersion version) {
        Long h = loaded.get(version.versionId());
        if (h == null) {
            h = session.loadSymmetricKey(version.wrappedMaterial());
            loaded.put(version.versionId(), h);
        }
        return h;
    }

    int loadedCount() {
        return loaded.size();
    }
}
