package io.kmsgw.gateway.authz;

/** A refused access-model change: bad parameter, missing resource, or conflict. Messages are client-safe. */
public final class AccessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kind of refusal; the admin plane maps it to 400 / 404 / 409. */
    public enum Kind { INVALID, NOT_FOUND, CONFLICT }

    private final Kind kind;
    private final String resourceType;

    private AccessException(Kind kind, String resourceType, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.resourceType = resourceType;
    }

    public static AccessException invalid(String parameter, String why) {
        return new AccessException(Kind.INVALID, null, "The parameter " + parameter + " is invalid: " + why);
    }

    public static AccessException notFound(String resourceType, String name) {
        return new AccessException(Kind.NOT_FOUND, resourceType, "The " + resourceType + " " + name + " does not exist.");
    }

    public static AccessException conflict(String message) {
        return new AccessException(Kind.CONFLICT, null, message);
    }

    public Kind kind() {
        return kind;
    }

    /** For NOT_FOUND: NetworkRule, Policy, ApplicationAccessPoint, ClientKey. */
    public String resourceType() {
        return resourceType;
    }
}
