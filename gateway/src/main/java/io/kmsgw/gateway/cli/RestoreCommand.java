package io.kmsgw.gateway.cli;

import io.kmsgw.gateway.server.DataDirVerifier;
import io.kmsgw.gateway.backup.Backup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code restore}: unpacks an encrypted backup into a new data dir. */
@Command(name = "restore", mixinStandardHelpOptions = true, description = "Restore an encrypted backup into a new data dir.")
public final class RestoreCommand implements Callable<Integer> {
    @Option(names = "--in", required = true, description = "backup file")
    Path in;
    @Option(names = "--data-dir", required = true, description = "new (absent or empty) data directory")
    Path dataDir;
    @Option(names = "--password-file", required = true, description = "file holding the backup password")
    Path passwordFile;
    @Option(names = "--verify", description = "verify the restored data dir (as kmsgw verify); exit 1 when it does not")
    boolean verify;
    @Option(names = "--hsm-secret-file", description = "the HSM secret for --verify (default DATA/hsm/secret)")
    Path hsmSecretFile;

    @Override
    public Integer call() {
        try {
            char[] pw = Files.readString(passwordFile, StandardCharsets.UTF_8).strip().toCharArray();
            List<String> files = Backup.restore(in, dataDir, pw);
            boolean secret = files.contains("hsm/secret");
            System.out.println("kmsgw restore: restored " + files.size() + " files into " + dataDir.toAbsolutePath()
                    + (secret ? "" : "; put the HSM secret at " + dataDir.resolve("hsm/secret") + " (or pass --hsm-secret-file) "
                    + "before serve"));
            if (!verify) {
                return 0;
            }
            DataDirVerifier.Result r = DataDirVerifier.verify(dataDir.toAbsolutePath(), hsmSecretFile, line -> { });
            return Verdict.print("restore", r, "verified", "does NOT verify: ");
        } catch (java.io.IOException e) {
            System.err.println("kmsgw restore: " + e.getMessage());
            return 1;
        }
    }
}
