package io.kmsgw.crypto.store;

/** The store contract on a real PostgreSQL server ({@link PostgresServer}), a database of its own per test. */
class PostgresStoreContractTest extends StoreContract {
    private String url;

    @Override
    protected Store create() throws Exception {
        url = PostgresServer.shared().newDatabase();
        return reopen();
    }

    @Override
    protected Store reopen() {
        return new PostgresStore(url, "kmsgw", null, 4);
    }
}
