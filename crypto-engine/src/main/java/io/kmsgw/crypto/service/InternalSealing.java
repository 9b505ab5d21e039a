package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Sealing;
import io.kmsgw.crypto.backend.BackendSession;
import io.kmsgw.crypto.ops.SymmetricOps;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * {@link Sealing} in the management session. A sealed blob is {@code 0x01 ‖ u16 length ‖ wrapped AES-256 key ‖ IV(12) ‖
 * ciphertext ‖ tag(16)}: the key is generated in the HSM and leaves it only wrapped under the master key, so no instance key
 * an operator can disable or delete stands between a sealed value and the gateway that needs it.
 */
final class InternalSealing implements Sealing {
    private static final byte FORMAT = 1;
    private static final int TAG_BYTES = 16;
    private final ManagementSession hsm;

    InternalSealing(ManagementSession hsm) {
        this.hsm = hsm;
    }

    @Override
    public byte[] seal(byte[] plaintext, String context) {
        byte[] aad = aad(context);
        return hsm.with(session -> {
            byte[] wrapped = session.generate(BackendSession.KeyKind.AES, 256, null).wrapped();
            long h = session.load(BackendSession.KeyKind.AES, wrapped);
            try {
                byte[] iv = new byte[SymmetricOps.GCM_IV_BYTES];
                session.random(iv);
                byte[] ct = session.encryptGcm(h, iv, aad, plaintext);
                return ByteBuffer.allocate(3 + wrapped.length + iv.length + ct.length).put(FORMAT).putShort((short) wrapped.length)
                        .put(wrapped).put(iv).put(ct).array();
            } finally {
                session.unload(h);
            }
        });
    }

    @Override
    public byte[] unseal(byte[] sealed, String context) {
        ByteBuffer in = ByteBuffer.wrap(sealed);
        if (sealed.length < 3 || in.get() != FORMAT) {
            throw damaged();
        }
        int wrappedLength = in.getShort() & 0xffff;
        if (in.remaining() < wrappedLength + SymmetricOps.GCM_IV_BYTES + TAG_BYTES) {
            throw damaged();
        }
        byte[] wrapped = new byte[wrappedLength];
        byte[] iv = new byte[SymmetricOps.GCM_IV_BYTES];
        in.get(wrapped).get(iv);
        byte[] ct = new byte[in.remaining()];
        in.get(ct);
        byte[] aad = aad(context);
        return hsm.with(session -> {
            long h;
            try {
                h = session.load(BackendSession.KeyKind.AES, wrapped);
            } catch (KmsException e) {
                if (e.error() == KmsError.UNAVAILABLE) {
                    throw e;
                }
                throw damaged();
            }
            try {
                return session.decryptGcm(h, iv, aad, ct);
            } catch (KmsException e) {
                if (e.error() == KmsError.UNAVAILABLE) {
                    throw e;
                }
                throw damaged();
            } finally {
                session.unload(h);
            }
        });
    }

    private static byte[] aad(String context) {
        return ("kmsgw sealed v1\0" + context).getBytes(StandardCharsets.UTF_8);
    }

    private static KmsException damaged() {
        return new KmsException(KmsError.KEY_MATERIAL_DAMAGED, "The sealed value does not open: it is damaged, belongs to another record, "
                + "or was sealed under another master key.");
    }
}
