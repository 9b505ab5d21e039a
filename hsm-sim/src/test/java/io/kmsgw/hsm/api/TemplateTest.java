package io.kmsgw.hsm.api;

import static io.kmsgw.hsm.api.Pkcs11.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Attribute templates: typed reads, defensive copies, C_FindObjects matching, and a toString that never shows values. */
class TemplateTest {

    @Test
    void typedReadsReturnValuesOrDefaults() {
        Template t = Template.of().set(CKA_TOKEN, true).set(CKA_VALUE_LEN, 32L).set(CKA_LABEL, "k").set(CKA_ID, new byte[] {1, 2});
        assertTrue(t.bool(CKA_TOKEN, false));
        assertFalse(t.bool(CKA_PRIVATE, false), "absent: the default");
        assertEquals(32L, t.num(CKA_VALUE_LEN, -1));
        assertEquals(-1L, t.num(CKA_MODULUS_BITS, -1));
        assertEquals("k", t.string(CKA_LABEL));
        assertArrayEquals("k".getBytes(StandardCharsets.UTF_8), t.bytes(CKA_LABEL), "a string reads as its UTF-8 bytes");
        assertArrayEquals(new byte[] {1, 2}, t.bytes(CKA_ID));
        assertEquals(new String(new byte[] {1, 2}, StandardCharsets.UTF_8), t.string(CKA_ID));
        assertNull(t.bytes(CKA_VALUE));
        assertNull(t.string(CKA_VALUE));
        assertEquals(4, t.size());
    }

    @Test
    void aValueOfTheWrongTypeIsAttributeValueInvalid() {
        Template t = Template.of().set(CKA_TOKEN, 1L).set(CKA_VALUE_LEN, true).set(CKA_ID, 5L);
        assertEquals(Ckr.ATTRIBUTE_VALUE_INVALID, assertThrows(HsmException.class, () -> t.bool(CKA_TOKEN, false)).ckr());
        assertEquals(Ckr.ATTRIBUTE_VALUE_INVALID, assertThrows(HsmException.class, () -> t.num(CKA_VALUE_LEN, 0)).ckr());
        assertEquals(Ckr.ATTRIBUTE_VALUE_INVALID, assertThrows(HsmException.class, () -> t.bytes(CKA_ID)).ckr());
        assertEquals(Ckr.ATTRIBUTE_VALUE_INVALID, assertThrows(HsmException.class, () -> t.string(CKA_ID)).ckr());
    }

    @Test
    void byteArraysAreCopiedInAndOut() {
        byte[] value = {9, 9, 9};
        Template t = Template.of().set(CKA_VALUE, value);
        value[0] = 0;
        assertArrayEquals(new byte[] {9, 9, 9}, t.bytes(CKA_VALUE), "the caller's array changing later does not reach the template");
        t.bytes(CKA_VALUE)[1] = 0;
        assertArrayEquals(new byte[] {9, 9, 9}, t.bytes(CKA_VALUE), "nor does changing what it handed out");
        ((byte[]) t.raw(CKA_VALUE))[2] = 0;
        assertArrayEquals(new byte[] {9, 9, 9}, t.bytes(CKA_VALUE));
        Template copy = t.copy();
        copy.set(CKA_VALUE, new byte[] {1});
        assertArrayEquals(new byte[] {9, 9, 9}, t.bytes(CKA_VALUE), "a copy is independent");
    }

    @Test
    void matchingIsEveryAttributeEqualWithBytesByContent() {
        Template object = Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_LABEL, "master").set(CKA_ID, new byte[] {7})
                .set(CKA_TOKEN, true);
        assertTrue(object.matches(Template.of()), "an empty template matches everything");
        assertTrue(object.matches(Template.of().set(CKA_LABEL, "master").set(CKA_TOKEN, true)));
        assertTrue(object.matches(Template.of().set(CKA_ID, new byte[] {7})));
        assertTrue(object.matches(Template.of().set(CKA_LABEL, "master".getBytes(StandardCharsets.UTF_8))), "a label given as bytes");
        assertFalse(object.matches(Template.of().set(CKA_LABEL, "other")));
        assertFalse(object.matches(Template.of().set(CKA_TOKEN, false)));
        assertFalse(object.matches(Template.of().set(CKA_SIGN, true)), "an attribute the object lacks never matches");
        assertFalse(object.matches(Template.of().set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_ID, new byte[] {8})));
    }

    @Test
    void withoutAndPutAllAndTypesInInsertionOrder() {
        Template t = Template.of().set(CKA_LABEL, "a").set(CKA_VALUE, new byte[] {1}).set(CKA_TOKEN, true);
        Template stripped = t.without(CKA_VALUE);
        assertFalse(stripped.has(CKA_VALUE));
        assertTrue(t.has(CKA_VALUE), "without() leaves the original alone");
        List<Long> types = new ArrayList<>();
        t.types().forEach(types::add);
        assertEquals(List.of(CKA_LABEL, CKA_VALUE, CKA_TOKEN), types);
        Template merged = Template.of().set(CKA_LABEL, "old").putAll(Template.of().set(CKA_LABEL, "new").set(CKA_SIGN, true));
        assertEquals("new", merged.string(CKA_LABEL));
        assertTrue(merged.bool(CKA_SIGN, false));
    }

    @Test
    void toStringNamesTypesNeverValues() {
        Template t = Template.of().set(CKA_VALUE, "super-secret-key-material".getBytes(StandardCharsets.UTF_8)).set(CKA_LABEL, "lbl");
        assertFalse(t.toString().contains("super-secret"), t.toString());
        assertFalse(t.toString().contains("lbl"), t.toString());
        assertTrue(t.toString().startsWith("Template"));
    }
}
