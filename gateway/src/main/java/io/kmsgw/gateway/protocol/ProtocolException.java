package io.kmsgw.gateway.protocol;

/** A request rejected with a protocol error; the message is sent to the client, so it is client-safe. */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ProtocolError error;

    public ProtocolException(ProtocolError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public ProtocolError error() {
        return error;
    }
}
