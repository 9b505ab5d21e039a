package io.kmsgw.hsm.api;

/**
 * A failed Cryptoki call. The message never contains key material or PINs; it names the call and
 * the return value so logs stay useful and safe.
 */
public final class HsmException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Ckr ckr;

    public HsmException(Ckr ckr) {
        super("CKR_" + ckr.name(), null, false, false);
        this.ckr = ckr;
    }

    public HsmException(Ckr ckr, String detail) {
        super("CKR_" + ckr.name() + ": " + detail, null, false, false);
        this.ckr = ckr;
    }

    public Ckr ckr() {
        return ckr;
    }
}
