package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.Secret;
import io.kmsgw.crypto.backend.BackendSession;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.exec.WorkerContext;
import io.kmsgw.crypto.key.KeyVersion;
import io.kmsgw.crypto.secret.SecretManager;
import io.kmsgw.crypto.secret.SecretRepository;
import io.kmsgw.crypto.store.KeyRepository;
import io.kmsgw.crypto.store.MasterKeyRecord;
import io.kmsgw.crypto.store.Store;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Walks the key material a store holds through the HSM, read-only: the master key's check value, every key version
 * (it unwraps; a symmetric one also passes an encrypt-decrypt round trip, an asymmetric one's public key loads), every
 * alias (it names a key), every secret version (it decrypts). Each problem is one line naming the key, version, alias or
 * secret; nothing is written, so it is safe beside a running gateway.
 */
public final class IntegrityCheck {
    private static final byte[] PROBE = "kmsgw integrity probe".getBytes(StandardCharsets.US_ASCII);

    private IntegrityCheck() {
    }

    /** One thing that does not add up. */
    public record Problem(String subject, String detail) {
        @Override
        public String toString() {
            return subject + ": " + detail;
        }
    }

    /** What was walked and what was found. */
    public record Report(int keys, int keyVersions, int aliases, int secrets, int secretVersions, List<Problem> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }

        public String summary() {
            return keys + " keys (" + keyVersions + " versions), " + aliases + " aliases, " + secrets + " secrets (" + secretVersions
                    + " versions): " + (problems.isEmpty() ? "all verified" : problems.size() + " problem" + (problems.size() == 1 ? "" : "s"));
        }
    }

    /** @param progress receives a line every 1,000 key versions (long runs) */
    public static Report run(Store store, HsmBackend backend, Consumer<String> progress) {
        List<Problem> problems = new ArrayList<>();
        String recorded = new MasterKeyRecord(store).checkValue();
        String kcv = backend.masterKeyCheck();
        if (recorded != null && !recorded.equals(kcv)) {
            problems.add(new Problem("HSM master key", "check value " + kcv + " is not the store's (" + recorded + ")"));
        }
        List<KeyRepository.Loaded> keys;
        Map<String, String> aliases;
        java.util.Set<String> unreadable = new java.util.HashSet<>(); // named once, not again by every alias that points at them
        try {
            KeyRepository repo = new KeyRepository(store);
            keys = repo.loadAll(id -> {
                unreadable.add(id);
                problems.add(new Problem("key " + id, "its stored row cannot be read"));
            });
            aliases = repo.loadAliases();
        } catch (RuntimeException e) {
            problems.add(new Problem("store", "the key rows cannot be read (" + e.getClass().getSimpleName() + ")"));
            return new Report(0, 0, 0, 0, 0, problems);
        }
        Map<String, KeyRepository.Loaded> byId = new HashMap<>();
        Map<String, KeyVersion> versions = new HashMap<>();
        int checked = 0;
        try (BackendSession s = backend.openSession()) {
            for (KeyRepository.Loaded k : keys) {
                byId.put(k.metadata().keyId(), k);
                for (KeyVersion v : k.versions()) {
                    versions.put(v.versionId(), v);
                    String problem = checkVersion(s, k.metadata().spec(), k.metadata().usage(), v);
                    if (problem != null) {
                        problems.add(new Problem("key " + k.metadata().keyId() + " version " + v.versionId(), problem));
                    }
                    if (++checked % 1000 == 0) {
                        progress.accept(checked + " key versions checked");
                    }
                }
                // an EXTERNAL key without material (PendingImport, or deleted while pending deletion) has no version row by design
                boolean awaitsMaterial = k.metadata().external() && k.versions().isEmpty();
                if (!awaitsMaterial && k.versions().stream().noneMatch(v -> v.versionId().equals(k.metadata().primaryVersionId()))) {
                    problems.add(new Problem("key " + k.metadata().keyId(), "its primary version " + k.metadata().primaryVersionId()
                            + " is missing"));
                }
            }
            aliases.forEach((alias, keyId) -> {
                if (!byId.containsKey(keyId) && !unreadable.contains(keyId)) {
                    problems.add(new Problem("alias " + alias, "names key " + keyId + ", which does not exist"));
                }
            });
            int[] secretVersions = {0};
            List<Secret> secrets;
            try {
                secrets = new SecretRepository(store).loadAll();
            } catch (RuntimeException e) {
                problems.add(new Problem("store", "the secret rows cannot be read (" + e.getClass().getSimpleName() + ")"));
                secrets = List.of();
            }
            for (Secret sec : secrets) {
                KeyRepository.Loaded key = byId.get(sec.encryptionKeyId());
                for (Secret.Version sv : sec.versions().values()) {
                    secretVersions[0]++;
                    KeyVersion kv = versions.get(sv.keyVersionId());
                    if (key == null || kv == null) {
                        problems.add(new Problem("secret " + sec.name() + " version " + sv.versionId(), "its key " + sec.encryptionKeyId()
                                + " version " + sv.keyVersionId() + " does not exist"));
                        continue;
                    }
                    if (!opens(s, key.metadata().spec(), kv, sec.name(), sv)) {
                        problems.add(new Problem("secret " + sec.name() + " version " + sv.versionId(), "does not decrypt"));
                    }
                }
            }
            return new Report(keys.size(), versions.size(), aliases.size(), secrets.size(), secretVersions[0], problems);
        }
    }

    /** Null when the version is usable, else what is wrong with it. */
    /**
     * The private half against the public one, as the key's usage allows: sign a fixed digest and verify it, or encrypt a
     * probe with the public key and decrypt it with the private one. A mismatch means the stored public key is not the
     * private key's (or either is damaged).
     */
    private static String asymmetricRoundTrip(BackendSession s, KeySpec spec, io.kmsgw.crypto.api.KeyUsage usage, long priv, long pub) {
        byte[] digest = Arrays.copyOf(PROBE, 32);
        boolean ok;
        if (usage == io.kmsgw.crypto.api.KeyUsage.ENCRYPT_DECRYPT) {
            byte[] back = spec.kind() == KeySpec.Kind.SM2 ? s.sm2Crypt(priv, false, s.sm2Crypt(pub, true, PROBE))
                    : s.rsaOaep(priv, false, "SHA-256", s.rsaOaep(pub, true, "SHA-256", PROBE));
            ok = Arrays.equals(PROBE, back);
        } else if (spec.kind() == KeySpec.Kind.SM2) {
            ok = s.sm2Verify(pub, digest, true, s.sm2Sign(priv, digest, true));
        } else {
            BackendSession.SignScheme scheme = spec.kind() == KeySpec.Kind.RSA ? BackendSession.SignScheme.RSA_PKCS1
                    : BackendSession.SignScheme.ECDSA;
            ok = s.verify(pub, scheme, "SHA-256", digest, s.sign(priv, scheme, "SHA-256", digest));
        }
        return ok ? null : "its private and public halves do not match (a " + (usage == io.kmsgw.crypto.api.KeyUsage.ENCRYPT_DECRYPT
                ? "encrypt-decrypt" : "sign-verify") + " round trip fails)";
    }

    private static String checkVersion(BackendSession s, KeySpec spec, io.kmsgw.crypto.api.KeyUsage usage, KeyVersion v) {
        long h;
        try {
            h = s.load(WorkerContext.kindOf(spec), v.wrappedMaterial());
        } catch (RuntimeException e) {
            return "its material does not unwrap in the HSM";
        }
        try {
            switch (spec.kind()) {
                case AES, SM4 -> {
                    byte[] iv = new byte[12];
                    byte[] ct = spec.kind() == KeySpec.Kind.AES ? s.encryptGcm(h, iv, null, PROBE)
                            : s.sm4(h, BackendSession.CipherMode.GCM, true, iv, new byte[0], PROBE);
                    byte[] pt = spec.kind() == KeySpec.Kind.AES ? s.decryptGcm(h, iv, null, ct)
                            : s.sm4(h, BackendSession.CipherMode.GCM, false, iv, new byte[0], ct);
                    if (!Arrays.equals(PROBE, pt)) {
                        return "an encrypt-decrypt round trip does not return its input";
                    }
                }
                case HMAC -> {
                    if (!Arrays.equals(s.mac(h, spec.size(), PROBE), s.mac(h, spec.size(), PROBE))) {
                        return "its MAC is not deterministic";
                    }
                }
                default -> {
                    if (v.publicKey() == null) {
                        return "its public key is missing";
                    }
                    long pub;
                    try {
                        pub = s.loadPublic(WorkerContext.kindOf(spec), v.publicKey());
                    } catch (RuntimeException e) {
                        return "its public key does not load";
                    }
                    try {
                        String problem = asymmetricRoundTrip(s, spec, usage, h, pub);
                        if (problem != null) {
                            return problem;
                        }
                    } finally {
                        s.unload(pub);
                    }
                }
            }
            return null;
        } catch (RuntimeException e) {
            return "it fails a round trip in the HSM";
        } finally {
            s.unload(h);
        }
    }

    private static boolean opens(BackendSession s, KeySpec spec, KeyVersion kv, String name, Secret.Version sv) {
        try {
            long h = s.load(WorkerContext.kindOf(spec), kv.wrappedMaterial());
            try {
                Arrays.fill(s.decryptGcm(h, sv.iv(), SecretManager.aad(name, sv.versionId()), sv.ciphertext()), (byte) 0);
                return true;
            } finally {
                s.unload(h);
            }
        } catch (RuntimeException e) {
            return false;
        }
    }
}
