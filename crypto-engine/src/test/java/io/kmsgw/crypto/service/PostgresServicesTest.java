package io.kmsgw.crypto.service;

import io.kmsgw.crypto.store.PostgresServer;
import io.kmsgw.crypto.store.PostgresStore;
import io.kmsgw.crypto.store.Store;

/** {@link ServicesTest} on a real PostgreSQL server: the same promises over the shared store. */
class PostgresServicesTest extends ServicesTest {
    private String url;

    @Override
    protected Store openStore() throws Exception {
        if (url == null) {
            url = PostgresServer.shared().newDatabase();
        }
        return new PostgresStore(url, PostgresServer.shared().user(), null, 4);
    }
}
