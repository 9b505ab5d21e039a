package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.store.StoreException;
import java.util.function.Supplier;

/** Store writes as the API reports them: a refused constraint is ALREADY_EXISTS, any other store failure UNAVAILABLE. */
final class Writes {
    private Writes() {
    }

    static void run(Runnable write) {
        get(() -> {
            write.run();
            return null;
        });
    }

    static <T> T get(Supplier<T> write) {
        try {
            return write.get();
        } catch (StoreException e) {
            if (e.constraintViolation()) {
                throw new KmsException(KmsError.ALREADY_EXISTS, "The resource already exists.");
            }
            if (e.outcomeUnknown()) {
                throw new KmsException(KmsError.COMMIT_OUTCOME_UNKNOWN, "The store's answer to the commit was lost: the change may or "
                        + "may not have been made. Look (Describe/List) before retrying.");
            }
            throw new KmsException(KmsError.UNAVAILABLE, "The store is temporarily unavailable.");
        }
    }
}
