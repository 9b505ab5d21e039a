package io.kmsgw.crypto.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The in-memory key view: names (ids, aliases, versions) resolve to one snapshot, and every removal removes all its names. */
class KeyRingTest {
    private final KeyRing ring = new KeyRing();

    private static KeyMetadata meta(String id) {
        return KeyMetadata.created(id, KeySpec.Aliyun_AES_256, KeyUsage.ENCRYPT_DECRYPT, "", Instant.EPOCH, id + "-v1", Map.of());
    }

    private static KeyVersion version(String keyId, String versionId) {
        return new KeyVersion(versionId, keyId, Instant.EPOCH, new byte[] {1}, null);
    }

    private void put(String id, String... versions) {
        List<KeyVersion> vs = new java.util.ArrayList<>();
        for (String v : versions) {
            vs.add(version(id, v));
        }
        ring.put(meta(id), vs);
    }

    private static KmsError error(Runnable r) {
        return assertThrows(KmsException.class, r::run).error();
    }

    @Test
    void keysResolveByIdOrAliasAndUnknownNamesAreNotFound() {
        put("key-a", "key-a-v1");
        ring.putAlias("alias/a", "key-a");
        assertEquals("key-a", ring.resolve("key-a").metadata().keyId());
        assertSame(ring.resolve("key-a"), ring.resolve("alias/a"));
        assertEquals(KmsError.KEY_NOT_FOUND, error(() -> ring.resolve("key-b")));
        assertEquals(KmsError.KEY_NOT_FOUND, error(() -> ring.resolve("alias/b")));
        KmsException e = assertThrows(KmsException.class, () -> ring.resolve("key-zzz"));
        assertTrue(e.getMessage().contains("key-zzz"), e.getMessage());
    }

    @Test
    void anEmptyOrMissingNameIsInvalidOrNotFound() {
        put("key-a", "key-a-v1");
        KmsError empty = error(() -> ring.resolve(""));
        assertTrue(empty == KmsError.INVALID_PARAMETER || empty == KmsError.KEY_NOT_FOUND, empty.toString());
        KmsError none = error(() -> ring.resolve(null));
        assertTrue(none == KmsError.INVALID_PARAMETER || none == KmsError.KEY_NOT_FOUND, none.toString());
    }

    @Test
    void aVersionNamesItsKeyAndMustBelongToTheOneNamed() {
        put("key-a", "key-a-v1", "key-a-v2");
        put("key-b", "key-b-v1");
        ring.putAlias("alias/b", "key-b");
        assertEquals("key-a", ring.resolve(null, "key-a-v2").metadata().keyId(), "a version alone names its key");
        assertEquals("key-a", ring.resolve("", "key-a-v2").metadata().keyId());
        assertEquals("key-a", ring.resolve("key-a", "key-a-v1").metadata().keyId());
        assertEquals("key-b", ring.resolve("alias/b", "key-b-v1").metadata().keyId());
        assertEquals("key-a", ring.resolve("key-a", null).metadata().keyId(), "no version: the key as named");
        assertEquals("key-b", ring.resolve("key-b", "key-a-v1").metadata().keyId(),
                "a named key wins; whether the version is one of its own is the operation's check (SymmetricPlanTest)");
        assertEquals(KmsError.KEY_NOT_FOUND, error(() -> ring.resolve(null, "no-such-version")));
        assertSame(ring.byVersion("key-a-v2"), ring.resolve("key-a"));
        assertNull(ring.byVersion("nope"));
    }

    @Test
    void aliasesOfAKeyAreListedAndMoveWithIt() {
        put("key-a", "key-a-v1");
        put("key-b", "key-b-v1");
        ring.putAlias("alias/x", "key-a");
        ring.putAlias("alias/y", "key-a");
        assertEquals(Set.of("alias/x", "alias/y"), new TreeSet<>(ring.aliasesOf("key-a")));
        ring.putAlias("alias/y", "key-b");
        assertEquals(List.of("alias/x"), ring.aliasesOf("key-a"));
        assertEquals("key-b", ring.aliasTarget("alias/y"));
        ring.removeAlias("alias/x");
        assertEquals(List.of(), ring.aliasesOf("key-a"));
        assertEquals(Map.of("alias/y", "key-b"), ring.aliases());
    }

    @Test
    void removingAKeyRemovesItsVersionsAndAliases() {
        put("key-a", "key-a-v1");
        ring.putAlias("alias/a", "key-a");
        ring.remove("key-a");
        assertEquals(KmsError.KEY_NOT_FOUND, error(() -> ring.resolve("key-a")));
        assertEquals(KmsError.KEY_NOT_FOUND, error(() -> ring.resolve("alias/a")));
        assertNull(ring.byVersion("key-a-v1"));
        assertNull(ring.aliasTarget("alias/a"));
        assertEquals(List.of(), ring.all());
    }

    @Test
    void replaceAllShowsExactlyWhatWasLoaded() {
        put("key-old", "key-old-v1");
        ring.putAlias("alias/old", "key-old");
        Map<KeyMetadata, java.util.Collection<KeyVersion>> loaded = new LinkedHashMap<>();
        loaded.put(meta("key-new"), List.of(version("key-new", "key-new-v1")));
        ring.replaceAll(loaded, Map.of("alias/new", "key-new"));
        assertEquals(KmsError.KEY_NOT_FOUND, error(() -> ring.resolve("key-old")));
        assertNull(ring.byVersion("key-old-v1"));
        assertNull(ring.aliasTarget("alias/old"));
        assertEquals("key-new", ring.resolve("alias/new").metadata().keyId());
        assertEquals(1, ring.all().size());
    }

    @Test
    void anEntryIsAnImmutableSnapshot() {
        put("key-a", "key-a-v1");
        KeyRing.Entry before = ring.resolve("key-a");
        put("key-a", "key-a-v1", "key-a-v2");
        assertEquals(1, before.versions().size(), "a snapshot taken before does not change");
        assertEquals(2, ring.resolve("key-a").versions().size());
        assertThrows(UnsupportedOperationException.class, () -> before.versions().put("x", version("key-a", "x")));
    }
}
