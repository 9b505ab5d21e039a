package io.kmsgw.crypto.ops;

import io.kmsgw.crypto.api.Completion;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Results.Mac;
import io.kmsgw.crypto.exec.Job;
import io.kmsgw.crypto.exec.WorkerContext;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.key.KeyRing;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.key.KeyVersion;

/** Hmac with HMAC_224/256/384/512 keys (usage GENERATE_VERIFY_MAC): HMAC-SHA-n of the message. */
public final class MacOps {
    public static final int MAX_MESSAGE = 8192;

    private MacOps() {
    }

    public static Job hmac(KeyRing ring, String keyId, byte[] message, Completion<Mac> done) {
        KeyRing.Entry e = ring.resolve(keyId);
        KeyMetadata m = e.metadata();
        SymmetricOps.checkUsable(m, KeyUsage.GENERATE_VERIFY_MAC, KeySpec.Kind.HMAC);
        if (message == null || message.length == 0 || message.length > MAX_MESSAGE) {
            throw KmsException.invalid("Message must be 1 to " + MAX_MESSAGE + " bytes.");
        }
        KeyVersion v = e.version(m.initialVersionId());
        return new EngineJob<>(done) {
            @Override
            protected Mac compute(WorkerContext ctx) {
                return new Mac(m.keyId(), v.versionId(), ctx.session().mac(ctx.handle(v, m.spec()), m.spec().size(), message));
            }
        };
    }
}
