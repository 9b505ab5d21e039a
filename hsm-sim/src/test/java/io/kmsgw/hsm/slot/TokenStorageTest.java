package io.kmsgw.hsm.slot;

import static io.kmsgw.hsm.api.Pkcs11.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Template;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the token writes to disk: sealed, bound to its slot, atomic, and refused whole when tampered with. */
class TokenStorageTest {
    @TempDir
    Path dir;
    private final SecureRandom random = new SecureRandom();

    private TokenStorage storage() {
        return new TokenStorage(dir, 1000, random);
    }

    private static SecretKey key(int b) {
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) b);
        return new SecretKeySpec(k, "AES");
    }

    @Test
    void derivationIsDeterministicPerPinSaltAndIterations() {
        TokenStorage s = storage();
        byte[] salt = s.newSalt();
        TokenStorage.Derived a = s.derive("pin-1234".toCharArray(), salt, 1000);
        TokenStorage.Derived b = s.derive("pin-1234".toCharArray(), salt, 1000);
        assertArrayEquals(a.verifier(), b.verifier());
        assertArrayEquals(a.kek().getEncoded(), b.kek().getEncoded());
        assertFalse(java.util.Arrays.equals(a.verifier(), a.kek().getEncoded()), "the verifier reveals nothing of the KEK");
        assertFalse(java.util.Arrays.equals(a.verifier(), s.derive("pin-1235".toCharArray(), salt, 1000).verifier()));
        assertFalse(java.util.Arrays.equals(a.verifier(), s.derive("pin-1234".toCharArray(), s.newSalt(), 1000).verifier()));
        assertFalse(java.util.Arrays.equals(a.verifier(), s.derive("pin-1234".toCharArray(), salt, 1001).verifier()));
        assertEquals(16, salt.length);
    }

    @Test
    void sealingIsBoundToKeyAndAad() {
        TokenStorage s = storage();
        byte[] aad = "aad".getBytes(StandardCharsets.US_ASCII);
        byte[] sealed = s.seal(key(1), "hello".getBytes(StandardCharsets.US_ASCII), aad);
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), s.open(key(1), sealed, aad));
        assertEquals(Ckr.DEVICE_ERROR, assertThrows(HsmException.class, () -> s.open(key(2), sealed, aad)).ckr());
        assertEquals(Ckr.DEVICE_ERROR, assertThrows(HsmException.class, () -> s.open(key(1), sealed, "other".getBytes())).ckr());
        sealed[sealed.length - 1] ^= 1;
        assertEquals(Ckr.DEVICE_ERROR, assertThrows(HsmException.class, () -> s.open(key(1), sealed, aad)).ckr());
        assertFalse(java.util.Arrays.equals(s.seal(key(1), new byte[4], aad), s.seal(key(1), new byte[4], aad)), "a fresh IV each time");
    }

    @Test
    void metadataRoundTripsAndIsAbsentUntilSaved() {
        TokenStorage s = storage();
        assertNull(s.loadMeta());
        TokenStorage.TokenMeta m = new TokenStorage.TokenMeta("label", new byte[] {1}, new byte[] {2}, new byte[] {3}, new byte[] {4},
                new byte[] {5}, new byte[] {6}, 1234);
        s.saveMeta(m);
        TokenStorage.TokenMeta read = storage().loadMeta();
        assertEquals("label", read.label());
        assertEquals(1234, read.iterations());
        assertArrayEquals(new byte[] {6}, read.sealedUnderUser());
        assertTrue(read.userPinSet());
        TokenStorage.TokenMeta noUser = new TokenStorage.TokenMeta("l", new byte[] {1}, new byte[] {2}, new byte[] {3}, null, null, null, 1000);
        s.saveMeta(noUser);
        assertFalse(storage().loadMeta().userPinSet(), "no user PIN survives as none");
    }

    @Test
    void aCorruptTokenFileIsADeviceError() throws Exception {
        storage().saveMeta(new TokenStorage.TokenMeta("l", new byte[] {1}, new byte[] {2}, new byte[] {3}, null, null, null, 1000));
        Files.write(dir.resolve("token.bin"), "NOTATOKEN".getBytes(StandardCharsets.US_ASCII));
        assertEquals(Ckr.DEVICE_ERROR, assertThrows(HsmException.class, () -> storage().loadMeta()).ckr());
    }

    @Test
    void objectsAreSealedUnderTheStorageKeyAndBoundToTheirSlot() throws Exception {
        TokenStorage s = storage();
        assertEquals(List.of(), s.loadObjects(key(1), 0), "none saved yet");
        Template attrs = Template.of().set(CKA_LABEL, "master").set(CKA_TOKEN, true).set(CKA_VALUE_LEN, 32L);
        s.saveObjects(key(1), 0, List.of(new TokenStorage.StoredObject(attrs, new byte[] {42, 43}, null)));
        byte[] onDisk = Files.readAllBytes(dir.resolve("objects.bin"));
        assertFalse(new String(onDisk, StandardCharsets.ISO_8859_1).contains("master"), "nothing readable on disk");

        List<TokenStorage.StoredObject> back = storage().loadObjects(key(1), 0);
        assertEquals(1, back.size());
        assertEquals("master", back.get(0).attributes().string(CKA_LABEL));
        assertEquals(32L, back.get(0).attributes().num(CKA_VALUE_LEN, 0));
        assertArrayEquals(new byte[] {42, 43}, back.get(0).encoded());

        assertEquals(Ckr.DEVICE_ERROR, assertThrows(HsmException.class, () -> storage().loadObjects(key(2), 0)).ckr(), "wrong key");
        assertEquals(Ckr.DEVICE_ERROR, assertThrows(HsmException.class, () -> storage().loadObjects(key(1), 1)).ckr(),
                "another slot's file does not open here");
        onDisk[onDisk.length / 2] ^= 1;
        Files.write(dir.resolve("objects.bin"), onDisk);
        assertEquals(Ckr.DEVICE_ERROR, assertThrows(HsmException.class, () -> storage().loadObjects(key(1), 0)).ckr(), "tampered");
        Files.write(dir.resolve("objects.bin"), new byte[] {1, 2});
        assertEquals(Ckr.DEVICE_ERROR, assertThrows(HsmException.class, () -> storage().loadObjects(key(1), 0)).ckr(), "truncated");
    }

    @Test
    void filesAreTheOwnersAloneAndNoTemporaryIsLeftBehind() throws Exception {
        Files.writeString(dir.resolve("token.bin.tmp"), "left over by a crash");
        TokenStorage s = storage();
        s.saveMeta(new TokenStorage.TokenMeta("l", new byte[] {1}, new byte[] {2}, new byte[] {3}, null, null, null, 1000));
        s.saveObjects(key(1), 0, List.of());
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("objects.bin", "token.bin"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        for (String f : List.of("token.bin", "objects.bin")) {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f))),
                    f);
        }
        assertEquals("l", storage().loadMeta().label());
    }

    @Test
    void wipeRemovesTheToken() {
        TokenStorage s = storage();
        s.saveMeta(new TokenStorage.TokenMeta("l", new byte[] {1}, new byte[] {2}, new byte[] {3}, null, null, null, 1000));
        s.saveObjects(key(1), 0, List.of());
        s.wipe();
        assertNull(storage().loadMeta());
        assertEquals(List.of(), storage().loadObjects(key(1), 0));
    }
}
