package io.kmsgw.crypto.api;

import java.util.List;

/** Cached, non-blocking lookups that authorization needs to name a request's key the way policies do. */
public interface KeyDirectory {

    /** The key id an id or alias names; KEY_NOT_FOUND when none. */
    String resolveKeyId(String keyIdOrAlias);

    /** The id of the key owning {@code keyVersionId}, or null when no key has that version. */
    String keyIdOfVersion(String keyVersionId);

    /** The aliases naming a key (a key reached through a version is authorized as if named by any of them). */
    List<String> aliasesOfKey(String keyId);
}
