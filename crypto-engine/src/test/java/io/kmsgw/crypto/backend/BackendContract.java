package io.kmsgw.crypto.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.backend.BackendSession.CipherMode;
import io.kmsgw.crypto.backend.BackendSession.KeyKind;
import io.kmsgw.crypto.backend.BackendSession.SignScheme;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the engine needs of any HSM backend, written once: {@link SimHsmBackendContractTest} runs it on the simulated
 * token (a PKCS#11 backend runs it too). Public-key results are checked with the JDK, never with the backend itself.
 */
abstract class BackendContract {
    @TempDir
    protected Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    protected HsmBackend backend;
    protected BackendSession session;

    /** A logged-in backend over the token in {@code tokenDir}, created on first use with {@code secret}. */
    protected abstract HsmBackend open(Path tokenDir, String secret);

    /** Whether the backend offers the Chinese national algorithms (SM2, SM4); one that does not must refuse them clearly. */
    protected boolean offersSm() {
        return true;
    }

    @BeforeEach
    void start() {
        backend = track(open(dir.resolve("hsm"), "contract-secret-0001"));
        session = track(backend.openSession());
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    protected <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    private static KmsError error(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(KmsException.class, call).error();
    }

    private long aes() {
        return session.load(KeyKind.AES, session.generate(KeyKind.AES, 256, null).wrapped());
    }

    static boolean contains(byte[] hay, byte[] needle) {
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }

    /** Material encrypted under a wrapping public key, as a tenant would (with the JDK), for {@link #importSecret} cases. */
    private static byte[] wrapForImport(byte[] spki, BackendSession.Unwrap how, byte[] material) throws Exception {
        PublicKey pub = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(spki));
        Cipher c;
        if (how == BackendSession.Unwrap.RSA_PKCS1) {
            c = Cipher.getInstance("RSA/ECB/PKCS1Padding");
            c.init(Cipher.ENCRYPT_MODE, pub);
        } else {
            String md = how == BackendSession.Unwrap.RSA_OAEP_SHA1 ? "SHA-1" : "SHA-256";
            c = Cipher.getInstance("RSA/ECB/OAEPPadding");
            c.init(Cipher.ENCRYPT_MODE, pub, new OAEPParameterSpec(md, "MGF1", new MGF1ParameterSpec(md), PSource.PSpecified.DEFAULT));
        }
        return c.doFinal(material);
    }

    @ParameterizedTest
    @EnumSource(value = BackendSession.Unwrap.class, names = {"RSA_OAEP_SHA256", "RSA_OAEP_SHA1", "RSA_PKCS1"})
    void importedMaterialIsUnwrappedInsideTheHsmAndServesLikeGeneratedMaterial(BackendSession.Unwrap how) throws Exception {
        BackendSession.Generated pair = session.generate(KeyKind.RSA, 2048, null);
        byte[] material = new byte[32];
        new java.security.SecureRandom().nextBytes(material);
        byte[] checkInput = "0123456789abcdef".getBytes();
        if (!backend.supportsImport(how)) {
            // SoftHSM2 2.6 unwraps OAEP with SHA-1 only: the backend says so rather than decoding OAEP in this process
            assertEquals(BackendSession.Unwrap.RSA_OAEP_SHA256, how);
            return;
        }
        BackendSession.Imported imported = session.importSecret(KeyKind.RSA, pair.wrapped(), how, KeyKind.AES, 32,
                wrapForImport(pair.publicKey(), how, material), checkInput);
        javax.crypto.spec.SecretKeySpec local = new javax.crypto.spec.SecretKeySpec(material, "AES");
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, local);
        assertArrayEquals(ecb.doFinal(checkInput), imported.check(), "the check value is the material's, computed in the HSM");
        assertFalse(contains(imported.wrapped(), material), "only wrapped material comes out");
        long k = session.load(KeyKind.AES, imported.wrapped());
        byte[] iv = new byte[12];
        byte[] ct = session.encryptGcm(k, iv, null, "imported".getBytes());
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, local, new javax.crypto.spec.GCMParameterSpec(128, iv));
        assertArrayEquals("imported".getBytes(), gcm.doFinal(ct), "the HSM's key is the tenant's material");

        // wrong length, tampered, another wrapping key: INVALID_PARAMETER, nothing made
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> session.importSecret(KeyKind.RSA, pair.wrapped(), how, KeyKind.AES, 32,
                wrapForImport(pair.publicKey(), how, new byte[16]), checkInput)));
        byte[] tampered = wrapForImport(pair.publicKey(), how, material);
        tampered[tampered.length / 2] ^= 1;
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> session.importSecret(KeyKind.RSA, pair.wrapped(), how, KeyKind.AES, 32,
                tampered, checkInput)));
        BackendSession.Generated other = session.generate(KeyKind.RSA, 2048, null);
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> session.importSecret(KeyKind.RSA, other.wrapped(), how, KeyKind.AES, 32,
                wrapForImport(pair.publicKey(), how, material), checkInput)));
        // AES-128 material is no AES-256 key, and 20 bytes are no AES key at all
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> session.importSecret(KeyKind.RSA, pair.wrapped(), how, KeyKind.AES, 32,
                wrapForImport(pair.publicKey(), how, new byte[20]), checkInput)));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> session.importSecret(KeyKind.RSA, pair.wrapped(), how, KeyKind.AES, 16,
                wrapForImport(pair.publicKey(), how, new byte[20]), checkInput)));
        assertEquals(16 + 8, session.importSecret(KeyKind.RSA, pair.wrapped(), how, KeyKind.AES, 16,
                wrapForImport(pair.publicKey(), how, new byte[16]), checkInput).wrapped().length);
    }

    /** An envelope as a tenant makes it: RSA-OAEP (SHA-1) of a fresh AES-256 key, then the PKCS#8 key under it (RFC 5649). */
    static byte[] envelope(byte[] wrappingSpki, byte[] pkcs8) throws Exception {
        byte[] aes = new byte[32];
        new java.security.SecureRandom().nextBytes(aes);
        byte[] head = wrapForImport(wrappingSpki, BackendSession.Unwrap.RSA_OAEP_SHA1, aes);
        Cipher kwp = Cipher.getInstance("AES/KWP/NoPadding");
        kwp.init(Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(aes, "AES"));
        byte[] tail = kwp.doFinal(pkcs8);
        byte[] out = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    @Test
    void aPrivateKeyInAnEnvelopeIsUnwrappedInsideTheHsmAndSignsAsItsOwnerExpects() throws Exception {
        BackendSession.Generated pair = session.generate(KeyKind.RSA, 2048, null);
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        java.security.KeyPair mine = g.generateKeyPair();
        BackendSession.Imported imported = session.importPrivate(pair.wrapped(), BackendSession.Unwrap.RSA_OAEP_SHA1, KeyKind.RSA,
                envelope(pair.publicKey(), mine.getPrivate().getEncoded()));
        assertArrayEquals(mine.getPublic().getEncoded(), imported.publicKey(), "the HSM gives back the imported key's public key");
        assertFalse(contains(imported.wrapped(), mine.getPrivate().getEncoded()), "only wrapped material comes out");
        byte[] digest = MessageDigest.getInstance("SHA-256").digest("imported".getBytes());
        byte[] sig = session.sign(session.load(KeyKind.RSA, imported.wrapped()), SignScheme.RSA_PKCS1, "SHA-256", digest);
        Signature v = Signature.getInstance("SHA256withRSA");
        v.initVerify(mine.getPublic());
        v.update("imported".getBytes());
        assertTrue(v.verify(sig), "the HSM signs with the tenant's key");

        byte[] broken = envelope(pair.publicKey(), mine.getPrivate().getEncoded());
        broken[broken.length - 3] ^= 1;
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> session.importPrivate(pair.wrapped(), BackendSession.Unwrap.RSA_OAEP_SHA1,
                KeyKind.RSA, broken)));
        BackendSession.Generated other = session.generate(KeyKind.RSA, 2048, null);
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> session.importPrivate(other.wrapped(), BackendSession.Unwrap.RSA_OAEP_SHA1,
                KeyKind.RSA, envelope(pair.publicKey(), mine.getPrivate().getEncoded()))));
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> session.importPrivate(pair.wrapped(), BackendSession.Unwrap.RSA_OAEP_SHA1,
                KeyKind.RSA, Arrays.copyOf(envelope(pair.publicKey(), mine.getPrivate().getEncoded()), 256))));

        java.security.KeyPairGenerator eg = java.security.KeyPairGenerator.getInstance("EC");
        eg.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.KeyPair ec = eg.generateKeyPair();
        if (!backend.supportsPrivateImport(KeyKind.EC)) {
            return; // a PKCS#11 EC private key object carries no public point to give back
        }
        BackendSession.Imported ecImported = session.importPrivate(pair.wrapped(), BackendSession.Unwrap.RSA_OAEP_SHA1, KeyKind.EC,
                envelope(pair.publicKey(), ec.getPrivate().getEncoded()));
        assertArrayEquals(ec.getPublic().getEncoded(), ecImported.publicKey());
    }

    @Test
    void symmetricMaterialLeavesOnlyWrappedAndEachGenerationIsNew() {
        BackendSession.Generated a = session.generate(KeyKind.AES, 256, null);
        BackendSession.Generated b = session.generate(KeyKind.AES, 256, null);
        assertNull(a.publicKey());
        assertTrue(a.wrapped().length >= 32 + 8, "a wrapped key is longer than the key");
        assertFalse(Arrays.equals(a.wrapped(), b.wrapped()));
    }

    @Test
    void gcmRoundTripsAndFailsClosedOnAnyChange() {
        long k = aes();
        byte[] iv = new byte[12];
        session.random(iv);
        byte[] ct = session.encryptGcm(k, iv, "aad".getBytes(), "plaintext".getBytes());
        assertEquals(9 + 16, ct.length, "ciphertext || 16-byte tag");
        assertArrayEquals("plaintext".getBytes(), session.decryptGcm(k, iv, "aad".getBytes(), ct));
        assertEquals(KmsError.DECRYPTION_FAILED, error(() -> session.decryptGcm(k, iv, "AAD".getBytes(), ct)));
        byte[] flipped = ct.clone();
        flipped[0] ^= 1;
        assertEquals(KmsError.DECRYPTION_FAILED, error(() -> session.decryptGcm(k, iv, "aad".getBytes(), flipped)));
        long other = aes();
        assertEquals(KmsError.DECRYPTION_FAILED, error(() -> session.decryptGcm(other, iv, "aad".getBytes(), ct)));
    }

    @ParameterizedTest
    @EnumSource(value = CipherMode.class, names = {"CBC", "CBC_PAD", "CTR", "ECB"})
    void everyAesModeRoundTrips(CipherMode mode) {
        long k = aes();
        byte[] iv = mode == CipherMode.ECB ? null : new byte[16];
        byte[] data = new byte[mode == CipherMode.CBC_PAD || mode == CipherMode.CTR ? 37 : 48];
        Arrays.fill(data, (byte) 7);
        byte[] ct = session.cipher(k, mode, true, iv, null, data);
        assertFalse(Arrays.equals(data, Arrays.copyOf(ct, data.length)));
        assertArrayEquals(data, session.cipher(k, mode, false, iv, null, ct));
    }

    @Test
    void sm4RoundTrips() {
        if (!offersSm()) {
            assertEquals(KmsError.UNSUPPORTED_OPERATION, error(() -> session.generate(KeyKind.SM4, 128, null)));
            return;
        }
        long k = session.load(KeyKind.SM4, session.generate(KeyKind.SM4, 128, null).wrapped());
        byte[] iv = new byte[12];
        byte[] ct = session.sm4(k, CipherMode.GCM, true, iv, new byte[0], "sm4 data".getBytes());
        assertArrayEquals("sm4 data".getBytes(), session.sm4(k, CipherMode.GCM, false, iv, new byte[0], ct));
        byte[] cbc = session.sm4(k, CipherMode.CBC_PAD, true, new byte[16], null, new byte[5]);
        assertEquals(16, cbc.length);
        assertArrayEquals(new byte[5], session.sm4(k, CipherMode.CBC_PAD, false, new byte[16], null, cbc));
    }

    @ParameterizedTest
    @CsvSource({"224, 28", "256, 32", "384, 48", "512, 64"})
    void hmacIsDeterministicPerKey(int bits, int length) {
        long k = session.load(KeyKind.HMAC, session.generate(KeyKind.HMAC, bits, null).wrapped());
        byte[] tag = session.mac(k, bits, "m".getBytes());
        assertEquals(length, tag.length);
        assertArrayEquals(tag, session.mac(k, bits, "m".getBytes()));
        assertFalse(Arrays.equals(tag, session.mac(k, bits, "n".getBytes())));
    }

    private static PublicKey spki(String alg, byte[] der) throws Exception {
        return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
    }

    @Test
    void rsaSignaturesVerifyWithTheJdkAndOaepOpensWhatTheJdkSealed() throws Exception {
        BackendSession.Generated g = session.generate(KeyKind.RSA, 2048, null);
        PublicKey pub = spki("RSA", g.publicKey());
        long priv = session.load(KeyKind.RSA, g.wrapped());
        byte[] digest = MessageDigest.getInstance("SHA-256").digest("signed".getBytes());

        Signature pss = Signature.getInstance("RSASSA-PSS");
        pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        pss.initVerify(pub);
        pss.update("signed".getBytes());
        assertTrue(pss.verify(session.sign(priv, SignScheme.RSA_PSS, "SHA-256", digest)));

        Signature pkcs1 = Signature.getInstance("SHA256withRSA");
        pkcs1.initVerify(pub);
        pkcs1.update("signed".getBytes());
        byte[] sig = session.sign(priv, SignScheme.RSA_PKCS1, "SHA-256", digest);
        assertTrue(pkcs1.verify(sig));
        long pubHandle = session.loadPublic(KeyKind.RSA, g.publicKey());
        assertTrue(session.verify(pubHandle, SignScheme.RSA_PKCS1, "SHA-256", digest, sig));
        sig[5] ^= 1;
        assertFalse(session.verify(pubHandle, SignScheme.RSA_PKCS1, "SHA-256", digest, sig));

        for (String hash : new String[] {"SHA-256", "SHA-1"}) {
            Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
            MGF1ParameterSpec mgf = hash.equals("SHA-1") ? MGF1ParameterSpec.SHA1 : MGF1ParameterSpec.SHA256;
            oaep.init(Cipher.ENCRYPT_MODE, pub, new OAEPParameterSpec(hash, "MGF1", mgf, PSource.PSpecified.DEFAULT));
            byte[] ct = oaep.doFinal("secret".getBytes());
            assertArrayEquals("secret".getBytes(), session.rsaOaep(priv, false, hash, ct), hash);
            ct[7] ^= 1;
            assertEquals(KmsError.DECRYPTION_FAILED, error(() -> session.rsaOaep(priv, false, hash, ct)), hash);
            // and sealed in the HSM with the public key: standard OAEP, as the decryption above (which opens the JDK's) opens it
            byte[] sealed = session.rsaOaep(pubHandle, true, hash, "from the hsm".getBytes());
            assertEquals(256, sealed.length);
            assertArrayEquals("from the hsm".getBytes(), session.rsaOaep(priv, false, hash, sealed), hash);
        }
    }

    @ParameterizedTest
    @CsvSource({"secp256r1, SHA-256, SHA256withECDSA", "secp384r1, SHA-384, SHA384withECDSA", "secp521r1, SHA-512, SHA512withECDSA"})
    void ecdsaSignaturesAreRConcatSAndVerifyWithTheJdk(String curve, String hash, String jdkAlg) throws Exception {
        BackendSession.Generated g = session.generate(KeyKind.EC, 0, curve);
        long priv = session.load(KeyKind.EC, g.wrapped());
        byte[] digest = MessageDigest.getInstance(hash).digest("ec".getBytes());
        byte[] rs = session.sign(priv, SignScheme.ECDSA, hash, digest);
        int half = rs.length / 2;
        byte[] der = new DERSequence(new ASN1Integer[] {new ASN1Integer(new BigInteger(1, Arrays.copyOf(rs, half))),
                new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(rs, half, rs.length)))}).getEncoded();
        Signature v = Signature.getInstance(jdkAlg);
        v.initVerify(spki("EC", g.publicKey()));
        v.update("ec".getBytes());
        assertTrue(v.verify(der));
        long pub = session.loadPublic(KeyKind.EC, g.publicKey());
        assertTrue(session.verify(pub, SignScheme.ECDSA, hash, digest, rs));
        digest[0] ^= 1;
        assertFalse(session.verify(pub, SignScheme.ECDSA, hash, digest, rs));
    }

    @Test
    void anUnsupportedCurveIsInvalid() {
        assertEquals(KmsError.INVALID_PARAMETER, error(() -> session.generate(KeyKind.EC, 0, "secp224r1")));
    }

    @Test
    void sm2EncryptsAndSignsBothWays() {
        if (!offersSm()) {
            assertEquals(KmsError.UNSUPPORTED_OPERATION, error(() -> session.generate(KeyKind.SM2, 256, null)));
            return;
        }
        BackendSession.Generated g = session.generate(KeyKind.SM2, 256, null);
        long priv = session.load(KeyKind.SM2, g.wrapped());
        long pub = session.loadPublic(KeyKind.SM2, g.publicKey());
        byte[] ct = session.sm2Crypt(pub, true, "sm2 secret".getBytes());
        assertArrayEquals("sm2 secret".getBytes(), session.sm2Crypt(priv, false, ct));
        byte[] sig = session.sm2Sign(priv, "message".getBytes(), false);
        assertTrue(session.sm2Verify(pub, "message".getBytes(), false, sig));
        assertFalse(session.sm2Verify(pub, "massage".getBytes(), false, sig));
        byte[] e = new byte[32];
        byte[] sigE = session.sm2Sign(priv, e, true);
        assertTrue(session.sm2Verify(pub, e, true, sigE));
        ct[ct.length - 1] ^= 1;
        assertEquals(KmsError.DECRYPTION_FAILED, error(() -> session.sm2Crypt(priv, false, ct)));
    }

    @Test
    void dataKeyPairsArePlainPkcs8MatchingTheirPublicKey() throws Exception {
        BackendSession.DataKeyPair p = session.generateDataKeyPair(KeyKind.EC, 0, "secp256r1");
        PrivateKey sk = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(p.privateKey()));
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(sk);
        s.update("pair".getBytes());
        byte[] sig = s.sign();
        s.initVerify(spki("EC", p.publicKey()));
        s.update("pair".getBytes());
        assertTrue(s.verify(sig));
        BackendSession.DataKeyPair r = session.generateDataKeyPair(KeyKind.RSA, 2048, null);
        assertNotNull(KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(r.privateKey())));
    }

    @Test
    void anUnloadedHandleIsUnusable() {
        long k = aes();
        session.unload(k);
        assertThrows(KmsException.class, () -> session.encryptGcm(k, new byte[12], null, new byte[1]));
    }

    @Test
    void materialWrappedByAnotherTokenDoesNotLoad() {
        HsmBackend other = track(open(dir.resolve("other-hsm"), "another-secret-0002"));
        BackendSession os = track(other.openSession());
        byte[] foreign = os.generate(KeyKind.AES, 256, null).wrapped();
        assertThrows(KmsException.class, () -> session.load(KeyKind.AES, foreign));
        byte[] mangled = session.generate(KeyKind.AES, 256, null).wrapped();
        mangled[3] ^= 1;
        assertThrows(KmsException.class, () -> session.load(KeyKind.AES, mangled));
    }

    @Test
    void wrappedMaterialOutlivesARestart() throws Exception {
        byte[] wrapped = session.generate(KeyKind.AES, 256, null).wrapped();
        long k = session.load(KeyKind.AES, wrapped);
        byte[] ct = session.encryptGcm(k, new byte[12], null, "kept".getBytes());
        session.close();
        backend.close();
        backend = track(open(dir.resolve("hsm"), "contract-secret-0001"));
        session = track(backend.openSession());
        assertArrayEquals("kept".getBytes(), session.decryptGcm(session.load(KeyKind.AES, wrapped), new byte[12], null, ct));
    }

    @Test
    void theMasterKeyCheckValueIsStableAndTellsTokensApart() throws Exception {
        String kcv = backend.masterKeyCheck();
        assertTrue(kcv.matches("[0-9a-f]{16}"), kcv);
        assertEquals(kcv, backend.masterKeyCheck());
        HsmBackend other = track(open(dir.resolve("other-hsm"), "another-secret-0003"));
        assertFalse(kcv.equals(other.masterKeyCheck()), "another token's master key has another check value");
        session.close();
        backend.close();
        backend = track(open(dir.resolve("hsm"), "contract-secret-0001"));
        session = track(backend.openSession());
        assertEquals(kcv, backend.masterKeyCheck(), "the same token after a restart");
    }

    @Test
    void randomAndHealthAndName() {
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        session.random(a);
        session.random(b);
        assertFalse(Arrays.equals(a, b));
        assertTrue(backend.healthy());
        assertFalse(backend.name().isBlank());
    }

    /** A vault in memory, as the shared store keeps it. */
    protected static SharedMaster.Vault vault() {
        AtomicReference<byte[]> kept = new AtomicReference<>();
        return new SharedMaster.Vault() {
            @Override
            public byte[] load() {
                return kept.get();
            }

            @Override
            public byte[] keepIfAbsent(byte[] wrapped) {
                kept.compareAndSet(null, wrapped);
                return kept.get();
            }
        };
    }

    /** A backend over a token of its own ({@code name}) joining the shared master key kept in {@code vault}. */
    protected abstract HsmBackend openShared(String name, String unseal, SharedMaster.Vault vault);

    private HsmBackend shared(String name, String unseal, SharedMaster.Vault vault) {
        return track(openShared(name, unseal, vault));
    }

    @Test
    void aBackendWithItsOwnMasterKeyDoesNotSeal() {
        assertTrue(backend.sealer().isEmpty());
    }

    @Test
    void gatewaysSharingAMasterKeyOpenEachOthersKeysAndSeals() {
        SharedMaster.Vault vault = vault();
        HsmBackend a = shared("a", "unseal-secret-0123456789", vault);
        HsmBackend b = shared("b", "unseal-secret-0123456789", vault);
        byte[] wrapped = track(a.openSession()).generate(KeyKind.AES, 256, null).wrapped();
        BackendSession sb = track(b.openSession());
        long k = sb.load(KeyKind.AES, wrapped);
        assertEquals(17, sb.encryptGcm(k, new byte[12], null, new byte[1]).length, "b uses a key a made");

        Sealer sa = a.sealer().orElseThrow();
        byte[] sealed = sa.seal("admin token".getBytes(), "file:admin.token".getBytes());
        assertArrayEquals("admin token".getBytes(), b.sealer().orElseThrow().unseal(sealed, "file:admin.token".getBytes()));
        KmsException wrongName = assertThrows(KmsException.class, () -> sa.unseal(sealed, "file:other".getBytes()));
        assertEquals(KmsError.DECRYPTION_FAILED, wrongName.error());
        assertEquals(KmsError.DECRYPTION_FAILED, assertThrows(KmsException.class, () -> sa.unseal(new byte[10], new byte[0])).error());
        assertFalse(java.util.Arrays.equals(sealed, sa.seal("admin token".getBytes(), "file:admin.token".getBytes())), "a fresh IV");
    }

    @Test
    void aWrongUnsealSecretRefusesToStart() {
        SharedMaster.Vault vault = vault();
        shared("first", "unseal-secret-0123456789", vault);
        assertThrows(KmsException.class, () -> shared("second", "another-unseal-secret-00", vault));
        assertThrows(KmsException.class, () -> shared("third", "too-short", vault));
    }

    /** Closed first: a PKCS#11 login belongs to the process, so a second backend on a token already logged in never presents a PIN. */
    @Test
    void aWrongHsmSecretDoesNotOpenTheToken() {
        session.close();
        backend.close();
        KmsException e = assertThrows(KmsException.class, () -> open(dir.resolve("hsm"), "not-the-secret-0001"));
        assertFalse(e.getMessage().contains("not-the-secret"), "the secret is not in the message: " + e.getMessage());
    }
}
