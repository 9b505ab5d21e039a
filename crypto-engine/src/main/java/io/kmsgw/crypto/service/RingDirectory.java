package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.KeyDirectory;
import io.kmsgw.crypto.key.KeyRing;
import java.util.List;

/** {@link KeyDirectory} over the in-memory key ring: map reads only. */
final class RingDirectory implements KeyDirectory {
    private final KeyRing ring;

    RingDirectory(KeyRing ring) {
        this.ring = ring;
    }

    @Override
    public String resolveKeyId(String keyIdOrAlias) {
        return ring.resolve(keyIdOrAlias).metadata().keyId();
    }

    @Override
    public String keyIdOfVersion(String keyVersionId) {
        KeyRing.Entry e = keyVersionId == null ? null : ring.byVersion(keyVersionId);
        return e == null ? null : e.metadata().keyId();
    }

    @Override
    public List<String> aliasesOfKey(String keyId) {
        return ring.aliasesOf(keyId);
    }
}
