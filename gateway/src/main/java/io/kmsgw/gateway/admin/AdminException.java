package io.kmsgw.gateway.admin;

/** An admin-plane failure with its HTTP status and OpenAPI-style code; the message is client-safe. */
public final class AdminException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;

    public AdminException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static AdminException invalid(String parameter, String why) {
        return new AdminException(400, "InvalidParameter", "The parameter " + parameter + " is invalid: " + why);
    }
}
