package io.kmsgw.hsm.api;

/**
 * PKCS#11 return values (CKR_*) the simulator can produce. Every failing call maps to exactly one
 * of these, carried by {@link HsmException}; the numeric values are those of PKCS#11 v3.0.
 */
public enum Ckr {
    OK(0x000),
    SLOT_ID_INVALID(0x003),
    GENERAL_ERROR(0x005),
    ARGUMENTS_BAD(0x007),
    ATTRIBUTE_READ_ONLY(0x010),
    ATTRIBUTE_SENSITIVE(0x011),
    ATTRIBUTE_TYPE_INVALID(0x012),
    ATTRIBUTE_VALUE_INVALID(0x013),
    DATA_INVALID(0x020),
    DATA_LEN_RANGE(0x021),
    FUNCTION_FAILED(0x006),
    DEVICE_ERROR(0x030),
    DEVICE_MEMORY(0x031),
    DEVICE_REMOVED(0x032),
    ENCRYPTED_DATA_INVALID(0x040),
    ENCRYPTED_DATA_LEN_RANGE(0x041),
    KEY_HANDLE_INVALID(0x060),
    KEY_SIZE_RANGE(0x062),
    KEY_TYPE_INCONSISTENT(0x063),
    KEY_FUNCTION_NOT_PERMITTED(0x068),
    KEY_NOT_WRAPPABLE(0x069),
    KEY_UNEXTRACTABLE(0x06A),
    MECHANISM_INVALID(0x070),
    MECHANISM_PARAM_INVALID(0x071),
    OBJECT_HANDLE_INVALID(0x082),
    OPERATION_ACTIVE(0x090),
    OPERATION_NOT_INITIALIZED(0x091),
    PIN_INCORRECT(0x0A0),
    PIN_INVALID(0x0A1),
    PIN_LEN_RANGE(0x0A2),
    PIN_LOCKED(0x0A4),
    SESSION_CLOSED(0x0B0),
    SESSION_COUNT(0x0B1),
    SESSION_HANDLE_INVALID(0x0B3),
    SESSION_EXISTS(0x0B6),
    SESSION_PARALLEL_NOT_SUPPORTED(0x0B4),
    SESSION_READ_ONLY(0x0B5),
    SESSION_READ_ONLY_EXISTS(0x0B7),
    SESSION_READ_WRITE_SO_EXISTS(0x0B8),
    SIGNATURE_INVALID(0x0C0),
    SIGNATURE_LEN_RANGE(0x0C1),
    TEMPLATE_INCOMPLETE(0x0D0),
    TEMPLATE_INCONSISTENT(0x0D1),
    TOKEN_NOT_PRESENT(0x0E0),
    TOKEN_NOT_RECOGNIZED(0x0E1),
    UNWRAPPING_KEY_HANDLE_INVALID(0x0F0),
    UNWRAPPING_KEY_TYPE_INCONSISTENT(0x0F2),
    USER_ALREADY_LOGGED_IN(0x100),
    USER_NOT_LOGGED_IN(0x101),
    USER_PIN_NOT_INITIALIZED(0x102),
    USER_TYPE_INVALID(0x103),
    USER_ANOTHER_ALREADY_LOGGED_IN(0x104),
    WRAPPED_KEY_INVALID(0x110),
    WRAPPED_KEY_LEN_RANGE(0x112),
    WRAPPING_KEY_HANDLE_INVALID(0x113),
    WRAPPING_KEY_TYPE_INCONSISTENT(0x115),
    CURVE_NOT_SUPPORTED(0x140),
    CRYPTOKI_NOT_INITIALIZED(0x190),
    CRYPTOKI_ALREADY_INITIALIZED(0x191);

    private final long code;

    Ckr(long code) {
        this.code = code;
    }

    private static final java.util.Map<Long, Ckr> BY_CODE = new java.util.HashMap<>();

    static {
        for (Ckr c : values()) {
            BY_CODE.put(c.code, c);
        }
    }

    /** The value for a PKCS#11 return code (as a real module returns it), or GENERAL_ERROR for one this enum does not name. */
    public static Ckr of(long code) {
        return BY_CODE.getOrDefault(code, GENERAL_ERROR);
    }

    /** The PKCS#11 numeric value. */
    public long code() {
        return code;
    }
}
