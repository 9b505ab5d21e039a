package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.backend.BackendSession;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.exec.WorkerContext;
import io.kmsgw.crypto.key.KeyVersion;
import io.kmsgw.crypto.store.KeyRepository;
import io.kmsgw.crypto.store.MasterKeyRecord;
import io.kmsgw.crypto.store.Store;

/**
 * Proves, before anything is served, that the open HSM holds the master key the store's material is wrapped under.
 * A store that records no check value yet (a new instance, or one from before check values) is proved by unwrapping
 * one of its key versions, then records the HSM's check value.
 */
public final class MasterKeyGuard {
    private MasterKeyGuard() {
    }

    /**
     * @return the master key's check value, now recorded in the store
     * @throws IllegalStateException (one line, for the operator) when the HSM's master key is not the store's
     */
    public static String verify(Store store, HsmBackend backend, String where) {
        MasterKeyRecord record = new MasterKeyRecord(store);
        String kcv = backend.masterKeyCheck();
        String recorded = record.checkValue();
        if (recorded == null) {
            KeyRepository.Loaded any = new KeyRepository(store).loadAll().stream().filter(l -> !l.versions().isEmpty()).findFirst()
                    .orElse(null);
            if (any != null && !unwraps(backend, any)) {
                throw foreign(where, kcv, "the one its keys are wrapped under");
            }
            recorded = record.recordIfAbsent(kcv);
        }
        if (!recorded.equals(kcv)) {
            throw foreign(where, kcv, "check value " + recorded);
        }
        return kcv;
    }

    private static boolean unwraps(HsmBackend backend, KeyRepository.Loaded key) {
        KeyVersion v = key.versions().get(0);
        try (BackendSession s = backend.openSession()) {
            s.unload(s.load(WorkerContext.kindOf(key.metadata().spec()), v.wrappedMaterial()));
            return true;
        } catch (KmsException e) {
            return false;
        }
    }

    private static IllegalStateException foreign(String where, String kcv, String expected) {
        return new IllegalStateException("the HSM master key in " + where + " (check value " + kcv + ") is not the store's ("
                + expected + "): the token belongs to another instance or was re-created; restore it from the backup the store "
                + "came from");
    }
}
