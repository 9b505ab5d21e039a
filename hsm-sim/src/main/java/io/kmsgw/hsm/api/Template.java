package io.kmsgw.hsm.api;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A PKCS#11 attribute template: {@code CKA_*} type to value. Values are {@link Boolean},
 * {@link Long}, {@link String} or {@code byte[]} (copied on the way in and out).
 */
public final class Template {
    private final Map<Long, Object> values = new LinkedHashMap<>();

    public static Template of() {
        return new Template();
    }

    public Template set(long type, boolean value) {
        values.put(type, value);
        return this;
    }

    public Template set(long type, long value) {
        values.put(type, value);
        return this;
    }

    public Template set(long type, String value) {
        values.put(type, value);
        return this;
    }

    public Template set(long type, byte[] value) {
        values.put(type, value.clone());
        return this;
    }

    /** Copies every attribute of {@code other} into this template (later wins). */
    public Template putAll(Template other) {
        other.values.forEach((k, v) -> values.put(k, v instanceof byte[] b ? b.clone() : v));
        return this;
    }

    public boolean has(long type) {
        return values.containsKey(type);
    }

    public Object raw(long type) {
        Object v = values.get(type);
        return v instanceof byte[] b ? b.clone() : v;
    }

    /** The boolean value of {@code type}, or {@code dflt} when absent; wrong value type is CKR_ATTRIBUTE_VALUE_INVALID. */
    public boolean bool(long type, boolean dflt) {
        Object v = values.get(type);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new HsmException(Ckr.ATTRIBUTE_VALUE_INVALID, "attribute 0x" + Long.toHexString(type) + " is not a CK_BBOOL");
    }

    public long num(long type, long dflt) {
        Object v = values.get(type);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Long l) {
            return l;
        }
        throw new HsmException(Ckr.ATTRIBUTE_VALUE_INVALID, "attribute 0x" + Long.toHexString(type) + " is not a CK_ULONG");
    }

    public byte[] bytes(long type) {
        Object v = values.get(type);
        if (v == null) {
            return null;
        }
        if (v instanceof byte[] b) {
            return b.clone();
        }
        if (v instanceof String s) {
            return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        throw new HsmException(Ckr.ATTRIBUTE_VALUE_INVALID, "attribute 0x" + Long.toHexString(type) + " is not a byte array");
    }

    public String string(long type) {
        Object v = values.get(type);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof byte[] b) {
            return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        }
        throw new HsmException(Ckr.ATTRIBUTE_VALUE_INVALID, "attribute 0x" + Long.toHexString(type) + " is not a string");
    }

    /** The attribute types present, in insertion order. */
    public Iterable<Long> types() {
        return Collections.unmodifiableSet(values.keySet());
    }

    public int size() {
        return values.size();
    }

    /** True when every attribute of {@code match} is present here with an equal value (C_FindObjects semantics). */
    public boolean matches(Template match) {
        for (Map.Entry<Long, Object> e : match.values.entrySet()) {
            Object mine = values.get(e.getKey());
            if (mine == null) {
                return false;
            }
            Object theirs = e.getValue();
            boolean eq = (mine instanceof byte[] a && theirs instanceof byte[] b)
                    ? Arrays.equals(a, b)
                    : (mine instanceof String s && theirs instanceof byte[] b2)
                            ? Arrays.equals(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), b2)
                            : mine.equals(theirs);
            if (!eq) {
                return false;
            }
        }
        return true;
    }

    /** A copy without {@code type}. */
    public Template without(long type) {
        Template t = copy();
        t.values.remove(type);
        return t;
    }

    public Template copy() {
        return new Template().putAll(this);
    }

    @Override
    public String toString() {
        // Never print values: a template may carry CKA_VALUE.
        return "Template" + values.keySet();
    }
}
