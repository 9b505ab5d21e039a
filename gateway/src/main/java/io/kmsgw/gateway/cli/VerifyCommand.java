package io.kmsgw.gateway.cli;

import io.kmsgw.gateway.server.DataDirVerifier;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code verify}: walks a data dir and prints one line per problem; exit 0 only when all is well. */
@Command(name = "verify", mixinStandardHelpOptions = true, description = "Verify a data dir: every key version unwraps and round-trips "
        + "in the HSM, secrets decrypt, aliases and policies point at things that exist, client key certificates and audit files "
        + "parse. Changes nothing; safe while the gateway runs.")
public final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--data-dir", defaultValue = "./data", description = "data directory (default ./data)")
    Path dataDir;
    @Option(names = "--hsm-secret-file", description = "the HSM secret (default DATA/hsm/secret)")
    Path hsmSecretFile;

    @Override
    public Integer call() throws Exception {
        DataDirVerifier.Result r = DataDirVerifier.verify(dataDir.toAbsolutePath(), hsmSecretFile, line -> System.err.println("kmsgw verify: "
                + line));
        for (String p : r.problems()) {
            System.out.println("PROBLEM " + p);
        }
        System.out.println("kmsgw verify: " + (r.ok() ? "ok" : r.problems().size() + " problem" + (r.problems().size() == 1 ? "" : "s"))
                + " (" + r.summary() + ")");
        return r.ok() ? 0 : 1;
    }
}
