package io.kmsgw.crypto.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyState;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.backend.BackendSession.CipherMode;
import io.kmsgw.crypto.key.KeyRing;
import io.kmsgw.crypto.key.KeyVersion;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** How a symmetric request maps onto a mode, padding and IV, and the key checks every operation starts with. */
class SymmetricPlanTest {
    private static KeyMetadata key(String spec, KeyState state) {
        KeySpec s = KeySpec.parse(spec);
        return KeyMetadata.created("key-1", s, KeyUsage.parse("", s), "", Instant.EPOCH, "v1", Map.of()).withState(state, null);
    }

    private static KeyMetadata aes() {
        return key("Aliyun_AES_256", KeyState.Enabled);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Aliyun_AES_256|       |                |AES_GCM|GCM    |             |12|false",
            "Aliyun_AES_256|AES_GCM|NO_PADDING      |AES_GCM|GCM    |             |12|false",
            "Aliyun_AES_256|AES_CTR|                |AES_CTR|CTR    |             |16|false",
            "Aliyun_AES_256|AES_CBC|                |AES_CBC|CBC_PAD|PKCS7_PADDING|16|false",
            "Aliyun_AES_256|AES_CBC|NO_PADDING      |AES_CBC|CBC    |NO_PADDING   |16|false",
            "Aliyun_AES_256|AES_ECB|PKCS7_PADDING   |AES_ECB|ECB    |PKCS7_PADDING|0 |true",
            "Aliyun_AES_256|AES_ECB|NO_PADDING      |AES_ECB|ECB    |NO_PADDING   |0 |false",
            "Aliyun_SM4    |       |                |SM4_GCM|GCM    |             |12|false",
            "Aliyun_SM4    |SM4_CBC|                |SM4_CBC|CBC_PAD|PKCS7_PADDING|16|false"})
    void eachAlgorithmAndPaddingHasOnePlan(String spec, String algorithm, String padding, String alg, CipherMode mode, String pad, int iv,
                                           boolean enginePads) {
        SymmetricOps.Plan p = SymmetricOps.plan(key(spec, KeyState.Enabled), algorithm, padding);
        assertEquals(alg, p.algorithm());
        assertEquals(mode, p.mode());
        assertEquals(pad == null ? "" : pad, p.padding());
        assertEquals(iv, p.ivBytes());
        assertEquals(enginePads, p.enginePads(), "ECB pads in the engine; CBC's padding is the HSM's");
        assertEquals(spec.contains("SM4"), p.sm4());
    }

    @Test
    void algorithmsOfAnotherFamilyOrUnknownAreInvalidAndSayWhatIsSupported() {
        KmsException e = assertThrows(KmsException.class, () -> SymmetricOps.plan(aes(), "SM4_GCM", ""));
        assertEquals(KmsError.INVALID_PARAMETER, e.error());
        assertTrue(e.getMessage().contains("AES_GCM, AES_CBC, AES_CTR, AES_ECB"), e.getMessage());
        assertEquals(KmsError.INVALID_PARAMETER, assertThrows(KmsException.class, () -> SymmetricOps.plan(aes(), "AES_XTS", "")).error());
        assertEquals(KmsError.INVALID_PARAMETER, assertThrows(KmsException.class,
                () -> SymmetricOps.plan(key("Aliyun_SM4", KeyState.Enabled), "AES_GCM", "")).error());
    }

    @ParameterizedTest
    @ValueSource(strings = {"AES_GCM", "AES_CTR"})
    void streamModesTakeNoPadding(String alg) {
        assertThrows(KmsException.class, () -> SymmetricOps.plan(aes(), alg, "PKCS7_PADDING"));
        SymmetricOps.plan(aes(), alg, "NO_PADDING");
    }

    @Test
    void anUnknownPaddingIsInvalid() {
        KmsException e = assertThrows(KmsException.class, () -> SymmetricOps.plan(aes(), "AES_CBC", "ZERO_PADDING"));
        assertTrue(e.getMessage().contains("PKCS7_PADDING, NO_PADDING"), e.getMessage());
    }

    @Test
    void pkcs7PadsEveryLengthAndUnpadsExactly() {
        for (int len = 0; len <= 48; len++) {
            byte[] data = new byte[len];
            java.util.Arrays.fill(data, (byte) 0x5a);
            byte[] padded = SymmetricOps.pad(data);
            assertEquals(0, padded.length % 16);
            assertTrue(padded.length > len, "a full block of padding when already aligned");
            assertArrayEquals(data, SymmetricOps.unpad(padded));
        }
    }

    @Test
    void badPaddingFailsAsOneUniformDecryptionFailure() {
        byte[] good = SymmetricOps.pad(new byte[5]);
        byte[][] bad = {new byte[0], new byte[15], good.clone(), good.clone(), new byte[16]};
        bad[2][15] = 0;      // pad length 0
        bad[3][14] ^= 1;     // one pad byte wrong
        bad[4][15] = 17;     // pad length over a block
        for (byte[] b : bad) {
            KmsException e = assertThrows(KmsException.class, () -> SymmetricOps.unpad(b));
            assertEquals(KmsError.DECRYPTION_FAILED, e.error());
            assertEquals(KmsException.decryptionFailed().getMessage(), e.getMessage(), "nothing tells one failure from another");
        }
    }

    @Test
    void aKeyMustBeEnabledOfTheUsageAndFamily() {
        SymmetricOps.checkUsable(aes(), KeyUsage.ENCRYPT_DECRYPT, KeySpec.Kind.AES);
        assertEquals(KmsError.KEY_DISABLED, assertThrows(KmsException.class, () -> SymmetricOps.checkUsable(
                key("Aliyun_AES_256", KeyState.Disabled), KeyUsage.ENCRYPT_DECRYPT)).error());
        assertEquals(KmsError.KEY_PENDING_DELETION, assertThrows(KmsException.class, () -> SymmetricOps.checkUsable(
                key("Aliyun_AES_256", KeyState.PendingDeletion), KeyUsage.ENCRYPT_DECRYPT)).error());
        KmsException wrongKind = assertThrows(KmsException.class, () -> SymmetricOps.checkUsable(aes(), KeyUsage.ENCRYPT_DECRYPT,
                KeySpec.Kind.RSA));
        assertEquals(KmsError.UNSUPPORTED_OPERATION, wrongKind.error());
        assertTrue(wrongKind.getMessage().contains("Aliyun_AES_256"), wrongKind.getMessage());
        assertEquals(KmsError.UNSUPPORTED_OPERATION, assertThrows(KmsException.class, () -> SymmetricOps.checkUsable(aes(),
                KeyUsage.SIGN_VERIFY)).error());
        SymmetricOps.checkUsable(aes(), KeyUsage.ENCRYPT_DECRYPT); // no kinds: any family
    }

    @Test
    void aRequestedVersionMustBeOneOfTheKeysOwnAndNoneMeansTheInitial() {
        KeyRing ring = new KeyRing();
        KeyMetadata m = aes().withPrimary("v2", Instant.EPOCH);
        ring.put(m, List.of(new KeyVersion("v1", "key-1", Instant.EPOCH, new byte[1], null),
                new KeyVersion("v2", "key-1", Instant.EPOCH, new byte[1], null)));
        KeyRing.Entry e = ring.resolve("key-1");
        assertEquals("v1", SymmetricOps.version(e, null).versionId(), "Encrypt keeps using the initial version");
        assertEquals("v1", SymmetricOps.version(e, "").versionId());
        assertEquals("v2", SymmetricOps.version(e, "v2").versionId());
        KmsException other = assertThrows(KmsException.class, () -> SymmetricOps.version(e, "v-of-another-key"));
        assertEquals(KmsError.INVALID_PARAMETER, other.error());
        assertTrue(other.getMessage().contains("not a version of key key-1"), other.getMessage());
    }

    @Test
    void advanceBlobsNameTheirVersionAndNothingElseIsMistakenForOne() {
        String version = "0123456789abcdef0123456789abcdef0123";
        byte[] blob = AdvanceOps.blob(version, new byte[12], new byte[20]);
        assertTrue(AdvanceOps.isSelfDescribing(blob));
        assertEquals(version, AdvanceOps.versionIdOf(blob));
        assertEquals(AdvanceOps.HEADER + 20, blob.length);
        assertFalse(AdvanceOps.isSelfDescribing(null));
        assertFalse(AdvanceOps.isSelfDescribing(new byte[AdvanceOps.HEADER + 16]), "no magic");
        byte[] tooShort = java.util.Arrays.copyOf(blob, AdvanceOps.HEADER + 15);
        assertFalse(AdvanceOps.isSelfDescribing(tooShort), "no room for a tag");
        assertEquals(null, AdvanceOps.versionIdOf(tooShort));
        assertThrows(IllegalStateException.class, () -> AdvanceOps.blob("short", new byte[12], new byte[16]));
    }
}
