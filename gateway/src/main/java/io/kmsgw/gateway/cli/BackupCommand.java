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

/** {@code backup}: an encrypted, consistent snapshot of a data dir (works while the gateway runs). */
@Command(name = "backup", mixinStandardHelpOptions = true, description = "Write an encrypted backup of the data dir.")
public final class BackupCommand implements Callable<Integer> {
    @Option(names = "--data-dir", defaultValue = "./data", description = "data directory (default ./data)")
    Path dataDir;
    @Option(names = "--out", required = true, description = "backup file to write (mode 0600)")
    Path out;
    @Option(names = "--password-file", required = true, description = "file holding the backup password (12+ characters)")
    Path passwordFile;
    @Option(names = "--include-hsm-secret", description = "also store the HSM secret (then the password alone opens the backup)")
    boolean includeHsmSecret;
    @Option(names = "--hsm-secret-file", description = "the HSM secret, to verify the backup (default DATA/hsm/secret)")
    Path hsmSecretFile;
    @Option(names = "--no-verify", description = "skip restoring the backup into a temporary dir and verifying it there")
    boolean noVerify;

    @Override
    public Integer call() {
        try {
            char[] pw = Files.readString(passwordFile, StandardCharsets.UTF_8).strip().toCharArray();
            List<String> files = Backup.create(dataDir, out, pw, includeHsmSecret);
            System.out.println("kmsgw backup: wrote " + out.toAbsolutePath() + " (" + files.size() + " files"
                    + (includeHsmSecret ? ", HSM secret included" : "; keep the HSM secret " + dataDir.resolve("hsm/secret")
                    + " separately: restore needs it") + ")");
            return noVerify ? 0 : verify(pw);
        } catch (java.io.IOException e) {
            System.err.println("kmsgw backup: " + e.getMessage());
            return 1;
        }
    }

    /** Restores the backup just written into a temporary dir and verifies it there, so a backup that cannot restore is known now. */
    private int verify(char[] pw) throws java.io.IOException {
        Path secret = hsmSecretFile != null ? hsmSecretFile : dataDir.resolve("hsm").resolve("secret");
        if (!Files.exists(secret)) {
            System.out.println("kmsgw backup: NOT verified: the HSM secret " + secret + " is not here (pass --hsm-secret-file)");
            return 0;
        }
        Path tmp = Files.createTempDirectory("kmsgw-backup-verify");
        try {
            Path restored = tmp.resolve("data");
            Backup.restore(out, restored, pw);
            DataDirVerifier.Result r = DataDirVerifier.verify(restored, secret, line -> { });
            return Verdict.print("backup", r, "verified", "the snapshot does NOT verify: ");
        } finally {
            try (java.util.stream.Stream<Path> walk = Files.walk(tmp)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
