package io.kmsgw.gateway.cli;

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

    @Override
    public Integer call() {
        try {
            char[] pw = Files.readString(passwordFile, StandardCharsets.UTF_8).strip().toCharArray();
            List<String> files = Backup.create(dataDir, out, pw, includeHsmSecret);
            System.out.println("kmsgw backup: wrote " + out.toAbsolutePath() + " (" + files.size() + " files"
                    + (includeHsmSecret ? ", HSM secret included" : "; keep the HSM secret " + dataDir.resolve("hsm/secret")
                    + " separately: restore needs it") + ")");
            return 0;
        } catch (java.io.IOException e) {
            System.err.println("kmsgw backup: " + e.getMessage());
            return 1;
        }
    }
}
