package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.KeyImport;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyState;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Sealing;
import io.kmsgw.crypto.backend.BackendSession;
import io.kmsgw.crypto.exec.WorkerContext;
import io.kmsgw.crypto.key.KeyRing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;

/**
 * {@link KeyImport} over the management session. An import token is {@code kgit1.<KeyId>.<sealed>}: the sealed part
 * ({@link Sealing}, bound to the key id) holds the algorithm, the expiry and the wrapping pair's private key as the HSM
 * wrapped it under the master key, so a token opens on every gateway of the instance, for its key only, and cannot be
 * made or changed outside the HSM. Importing unwraps the material inside the HSM straight into a key object
 * ({@link BackendSession#importSecret}); what the engine keeps is that key wrapped under the master key, like any
 * generated key, plus a check value the HSM computes from it (bound to the key id) so that only the same material is
 * ever imported again.
 */
final class KeyImports implements KeyImport {
    /** The key families whose material can be imported. */
    static final Set<KeySpec.Kind> IMPORTABLE = Set.of(KeySpec.Kind.AES, KeySpec.Kind.SM4, KeySpec.Kind.RSA, KeySpec.Kind.EC,
            KeySpec.Kind.SM2);
    static final Duration TOKEN_LIFETIME = Duration.ofHours(24);
    private static final String TOKEN_PREFIX = "kgit1.";
    private static final byte TOKEN_FORMAT = 1;
    /** Largest EncryptedKeyMaterial taken for symmetric material: an RSA-4096 block, or SM2 over a 64-byte key, fit well inside. */
    static final int MAX_ENCRYPTED = 1024;
    /** Largest envelope taken: an RSA-2048 block and an RSA-4096 PKCS#8 key (about 2.4 KB) wrapped, with room to spare. */
    static final int MAX_ENVELOPE = 4096;

    private final KeyRing ring;
    private final ManagementSession hsm;
    private final KeyLifecycle lifecycle;
    private final Sealing sealing;
    private final Clock clock;

    KeyImports(KeyRing ring, ManagementSession hsm, KeyLifecycle lifecycle, Sealing sealing, Clock clock) {
        this.ring = ring;
        this.hsm = hsm;
        this.lifecycle = lifecycle;
        this.sealing = sealing;
        this.clock = clock;
    }

    @Override
    public Parameters getParametersForImport(String keyIdOrAlias, String wrappingAlgorithm, String wrappingKeySpec) {
        KeyMetadata m = importable(ring.resolve(keyIdOrAlias).metadata());
        WrappingAlgorithm alg = WrappingAlgorithm.parse(wrappingAlgorithm, m.spec());
        if (wrappingKeySpec != null && !wrappingKeySpec.isEmpty() && !wrappingKeySpec.equals(alg.keySpec())) {
            throw KmsException.invalid("WrappingKeySpec " + wrappingKeySpec + " does not go with " + alg.name() + "; RSA_2048 goes with "
                    + "the RSAES_* and RSA_AES_KEY_WRAP_* algorithms, EC_SM2 with SM2PKE.");
        }
        if (alg.envelope() && !hsm.supportsPrivateImport(WorkerContext.kindOf(m.spec()))) {
            throw new KmsException(KmsError.UNSUPPORTED_OPERATION, "This HSM cannot import " + m.spec().name() + " private keys (it cannot "
                    + "give back the public key of an imported one); create the key with Origin Aliyun_KMS instead.");
        }
        if (!hsm.supportsImport(unwrap(alg))) {
            throw new KmsException(KmsError.UNSUPPORTED_OPERATION, "This HSM cannot unwrap key material encrypted with " + alg.name()
                    + " inside itself; use one of " + String.join(", ", Arrays.stream(WrappingAlgorithm.values())
                    .filter(a -> a.envelope() == alg.envelope() && hsm.supportsImport(unwrap(a))).map(Enum::name).toList()) + ".");
        }
        BackendSession.KeyKind kind = alg == WrappingAlgorithm.SM2PKE ? BackendSession.KeyKind.SM2 : BackendSession.KeyKind.RSA;
        BackendSession.Generated pair = hsm.with(s -> s.generate(kind, 2048, null));
        Instant expires = clock.instant().plus(TOKEN_LIFETIME);
        byte[] payload = ByteBuffer.allocate(1 + 1 + 8 + 2 + pair.wrapped().length).put(TOKEN_FORMAT).put((byte) alg.ordinal())
                .putLong(expires.toEpochMilli()).putShort((short) pair.wrapped().length).put(pair.wrapped()).array();
        String token = TOKEN_PREFIX + m.keyId() + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(sealing.seal(payload, context(m.keyId())));
        return new Parameters(m.keyId(), Base64.getEncoder().encodeToString(pair.publicKey()), token, expires, alg, alg.keySpec());
    }

    @Override
    public KeyMetadata importKeyMaterial(String keyIdOrAlias, byte[] encryptedKeyMaterial, String importToken, Instant materialExpire) {
        KeyMetadata m = importable(ring.resolve(keyIdOrAlias).metadata());
        Instant now = clock.instant();
        if (materialExpire != null && !materialExpire.isAfter(now)) {
            throw KmsException.invalid("KeyMaterialExpireUnix must be in the future (or 0 for material that does not expire).");
        }
        int max = m.spec().symmetric() ? MAX_ENCRYPTED : MAX_ENVELOPE;
        if (encryptedKeyMaterial == null || encryptedKeyMaterial.length == 0 || encryptedKeyMaterial.length > max) {
            throw KmsException.invalid("EncryptedKeyMaterial is required, Base64, at most " + max + " bytes.");
        }
        Token t = open(m.keyId(), importToken, now);
        if (t.algorithm().envelope() == m.spec().symmetric()) {
            throw badToken(); // issued for this key, so for its kind: only an altered token gets here
        }
        if (t.algorithm().envelope()) {
            return commit(m, importPrivateKey(m, t, encryptedKeyMaterial), materialExpire);
        }
        byte[] encrypted = t.algorithm() == WrappingAlgorithm.SM2PKE ? Sm2Ciphertexts.toC1C3C2(encryptedKeyMaterial) : encryptedKeyMaterial;
        BackendSession.KeyKind wrappingKind = t.algorithm() == WrappingAlgorithm.SM2PKE ? BackendSession.KeyKind.SM2
                : BackendSession.KeyKind.RSA;
        BackendSession.Imported imported;
        try {
            imported = hsm.with(s -> s.importSecret(wrappingKind, t.wrappedPrivate(), unwrap(t.algorithm()), WorkerContext.kindOf(m.spec()),
                    m.spec().keyBytes(), encrypted, checkInput(m.keyId())));
        } catch (KmsException e) {
            if (e.error() == KmsError.INVALID_PARAMETER && t.algorithm() == WrappingAlgorithm.RSAES_PKCS1_V1_5) {
                // one answer for a bad padding and a wrong length, so PKCS#1 v1.5 gives no padding oracle (Bleichenbacher)
                throw KmsException.invalid("EncryptedKeyMaterial does not unwrap under the wrapping key of this ImportToken as "
                        + m.spec().keyBytes() + " bytes of key material.");
            }
            throw e;
        }
        return commit(m, imported, materialExpire);
    }

    /**
     * Makes {@code imported} the key's one version, checked again against the key as it is at the commit (it may have been
     * scheduled for deletion meanwhile); the same-material rule is checked in the commit.
     */
    private KeyMetadata commit(KeyMetadata m, BackendSession.Imported imported, Instant materialExpire) {
        return lifecycle.commitMaterial(m.keyId(), cur -> {
            importable(cur);
            return cur.withMaterial(cur.state() == KeyState.PendingImport ? KeyState.Enabled : cur.state(), materialExpire);
        }, imported);
    }

    /**
     * A private key from its envelope, checked against the key spec by the public key the HSM derived from it: its check
     * value is that public key's SHA-256 (the public key names the private key, and is no secret).
     */
    private BackendSession.Imported importPrivateKey(KeyMetadata m, Token t, byte[] envelope) {
        BackendSession.Imported got = hsm.with(s -> s.importPrivate(t.wrappedPrivate(), unwrap(t.algorithm()), WorkerContext.kindOf(m.spec()),
                envelope));
        String holds = PublicKeys.describe(got.publicKey());
        if (!holds.equals(PublicKeys.expected(m.spec()))) {
            throw KmsException.invalid("EncryptedKeyMaterial holds " + holds + " key; this key spec (" + m.spec().name() + ") takes "
                    + PublicKeys.expected(m.spec()) + ".");
        }
        try {
            return new BackendSession.Imported(got.wrapped(), MessageDigest.getInstance("SHA-256").digest(got.publicKey()), got.publicKey());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public KeyMetadata deleteKeyMaterial(String keyIdOrAlias) {
        KeyRing.Entry e = ring.resolve(keyIdOrAlias);
        KeyMetadata m = e.metadata();
        requireExternal(m);
        if (e.versions().isEmpty()) {
            return m; // nothing to delete: already PendingImport (or pending deletion without material)
        }
        return deleteMaterial(m);
    }

    /** Deletes the material of every EXTERNAL key whose KeyMaterialExpireTime has passed; returns how many. */
    int expireMaterial(Instant now) {
        int n = 0;
        for (KeyRing.Entry e : ring.all()) {
            KeyMetadata m = e.metadata();
            if (m.external() && m.materialExpireTime() != null && !now.isBefore(m.materialExpireTime()) && !e.versions().isEmpty()) {
                deleteMaterial(m);
                n++;
            }
        }
        return n;
    }

    private KeyMetadata deleteMaterial(KeyMetadata m) {
        return lifecycle.commitMaterial(m.keyId(), cur -> cur.withMaterial(cur.state() == KeyState.PendingDeletion ? KeyState.PendingDeletion
                : KeyState.PendingImport, null), null);
    }

    /** The key, when material can be imported into it now. */
    private static KeyMetadata importable(KeyMetadata m) {
        requireExternal(m);
        if (m.state() == KeyState.PendingDeletion) {
            throw KmsException.invalid("The key " + m.keyId() + " is scheduled for deletion; cancel the deletion before importing.");
        }
        return m;
    }

    private static void requireExternal(KeyMetadata m) {
        if (!m.external()) {
            throw KmsException.invalid("The key " + m.keyId() + " has Origin " + m.origin() + ": its material was generated in the HSM. "
                    + "Key material is imported into keys created with Origin EXTERNAL.");
        }
    }

    private record Token(WrappingAlgorithm algorithm, byte[] wrappedPrivate) {
    }

    /** The token's content, once it is known to be this key's, unaltered and unexpired. */
    private Token open(String keyId, String token, Instant now) {
        if (token == null || token.isEmpty()) {
            throw KmsException.invalid("ImportToken is required: call GetParametersForImport.");
        }
        int dot = token.lastIndexOf('.');
        if (!token.startsWith(TOKEN_PREFIX) || dot <= TOKEN_PREFIX.length() || token.length() > 8192) {
            throw badToken();
        }
        String tokenKey = token.substring(TOKEN_PREFIX.length(), dot);
        if (!tokenKey.equals(keyId)) {
            throw KmsException.invalid("The ImportToken was issued for another key; call GetParametersForImport for " + keyId + ".");
        }
        byte[] payload;
        try {
            payload = sealing.unseal(Base64.getUrlDecoder().decode(token.substring(dot + 1)), context(keyId));
        } catch (IllegalArgumentException e) {
            throw badToken();
        } catch (KmsException e) {
            if (e.error() == KmsError.KEY_MATERIAL_DAMAGED) {
                throw badToken();
            }
            throw e;
        }
        ByteBuffer in = ByteBuffer.wrap(payload);
        if (payload.length < 12 || in.get() != TOKEN_FORMAT) {
            throw badToken();
        }
        int alg = in.get();
        Instant expires = Instant.ofEpochMilli(in.getLong());
        int n = in.getShort() & 0xffff;
        if (alg < 0 || alg >= WrappingAlgorithm.values().length || in.remaining() != n) {
            throw badToken();
        }
        if (!now.isBefore(expires)) {
            throw KmsException.invalid("The ImportToken expired at " + expires + "; call GetParametersForImport again (a token lasts "
                    + TOKEN_LIFETIME.toHours() + " hours).");
        }
        byte[] wrapped = new byte[n];
        in.get(wrapped);
        return new Token(WrappingAlgorithm.values()[alg], wrapped);
    }

    private static KmsException badToken() {
        return KmsException.invalid("The ImportToken is not one this instance issued, or it was altered.");
    }

    private static String context(String keyId) {
        return "import-token/" + keyId;
    }

    /** What the HSM encrypts (or MACs) with imported material to recognise it again: 16 bytes bound to the key id. */
    static byte[] checkInput(String keyId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(("kmsgw key material check v1\0" + keyId).getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(h, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BackendSession.Unwrap unwrap(WrappingAlgorithm a) {
        return switch (a) {
            case RSAES_OAEP_SHA_256 -> BackendSession.Unwrap.RSA_OAEP_SHA256;
            case RSAES_OAEP_SHA_1 -> BackendSession.Unwrap.RSA_OAEP_SHA1;
            case RSAES_PKCS1_V1_5 -> BackendSession.Unwrap.RSA_PKCS1;
            case SM2PKE -> BackendSession.Unwrap.SM2;
            case RSA_AES_KEY_WRAP_SHA_256 -> BackendSession.Unwrap.RSA_OAEP_SHA256;
            case RSA_AES_KEY_WRAP_SHA_1 -> BackendSession.Unwrap.RSA_OAEP_SHA1;
        };
    }
}
