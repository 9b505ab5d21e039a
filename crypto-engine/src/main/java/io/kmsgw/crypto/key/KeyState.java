package io.kmsgw.crypto.key;

/** Key states, by their API names. */
public enum KeyState {
    Enabled,
    Disabled,
    PendingDeletion
}
