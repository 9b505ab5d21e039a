package io.kmsgw.crypto.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded SQLite store. */
class SqliteStoreContractTest extends StoreContract {
    @TempDir
    Path dir;

    @Override
    protected Store create() {
        return new SqliteStore(dir.resolve("contract.db"));
    }

    @Override
    protected Store reopen() {
        return new SqliteStore(dir.resolve("contract.db"));
    }
}
