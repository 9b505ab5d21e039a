package io.kmsgw.crypto.api;

import java.util.Map;

/** Aliases ({@code alias/…}) naming keys. Blocking; a failed call changed nothing. */
public interface AliasManagement {

    /** CreateAlias: ALREADY_EXISTS when the alias names a key already. */
    void createAlias(String alias, String keyIdOrAlias);

    /** UpdateAlias: points an existing alias at another key. */
    void updateAlias(String alias, String keyId);

    void deleteAlias(String alias);

    /** Every alias and the key id it names. */
    Map<String, String> listAliases();
}
