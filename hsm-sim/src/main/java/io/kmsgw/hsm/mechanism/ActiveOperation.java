package io.kmsgw.hsm.mechanism;

import io.kmsgw.hsm.object.HsmObject;

/** The one operation a session has in progress between a *Init call and its single-part call. */
public record ActiveOperation(Kind kind, long mechanism, Object param, HsmObject key, Object engine) {

    public enum Kind { ENCRYPT, DECRYPT, SIGN, VERIFY }
}
