package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Completion;
import io.kmsgw.crypto.api.CryptoOperations;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.api.Results;
import io.kmsgw.crypto.key.KeyRing;
import io.kmsgw.crypto.ops.AdvanceOps;
import io.kmsgw.crypto.ops.DataKeyPairOps;
import io.kmsgw.crypto.ops.MacOps;
import io.kmsgw.crypto.ops.RsaCipherOps;
import io.kmsgw.crypto.ops.SignOps;
import io.kmsgw.crypto.ops.Sm2Ops;
import io.kmsgw.crypto.ops.SymmetricOps;

/** Routes each data-plane call to its operation family and runs the job: light ones inline, heavy ones on the pool. */
final class DataPlane implements CryptoOperations {
    private final KeyRing ring;
    private final Jobs jobs;
    private final DataKeyPairOps keyPairs;

    DataPlane(KeyRing ring, Jobs jobs, int maxConcurrentKeyPairs) {
        this.ring = ring;
        this.jobs = jobs;
        this.keyPairs = new DataKeyPairOps(maxConcurrentKeyPairs);
    }

    @Override
    public void encrypt(Commands.Encrypt cmd, Completion<Results.Padded> done) {
        KeyRing.Entry e = ring.resolve(cmd.keyId());
        checkCipherKey(e);
        switch (e.metadata().spec().kind()) {
            case RSA -> jobs.submit(RsaCipherOps.encrypt(e, cmd, done));
            case SM2 -> jobs.submit(Sm2Ops.encrypt(e, cmd, done));
            default -> jobs.light(SymmetricOps.encrypt(e, cmd, done));
        }
    }

    @Override
    public void decrypt(Commands.Decrypt cmd, Completion<Results.Decrypted> done) {
        KeyRing.Entry e = ring.resolve(cmd.keyId(), cmd.keyVersionId());
        checkCipherKey(e);
        switch (e.metadata().spec().kind()) {
            case RSA -> jobs.submit(RsaCipherOps.decrypt(e, cmd, done));
            case SM2 -> jobs.submit(Sm2Ops.decrypt(e, cmd, done));
            default -> jobs.light(SymmetricOps.decrypt(e, cmd, done));
        }
    }

    private static void checkCipherKey(KeyRing.Entry e) {
        SymmetricOps.checkUsable(e.metadata(), KeyUsage.ENCRYPT_DECRYPT, KeySpec.Kind.AES, KeySpec.Kind.SM4, KeySpec.Kind.RSA,
                KeySpec.Kind.SM2);
    }

    @Override
    public void sign(Commands.Sign cmd, Completion<Results.Signed> done) {
        jobs.submit(SignOps.sign(ring.resolve(cmd.keyId(), cmd.keyVersionId()), cmd, done));
    }

    @Override
    public void verify(Commands.Sign cmd, byte[] signature, Completion<Results.Verified> done) {
        jobs.submit(SignOps.verify(ring.resolve(cmd.keyId(), cmd.keyVersionId()), cmd, signature, done));
    }

    @Override
    public void hmac(String keyId, byte[] message, Completion<Results.Mac> done) {
        jobs.light(MacOps.hmac(ring, keyId, message, done));
    }

    @Override
    public void advanceEncrypt(Commands.Encrypt cmd, Completion<Results.Encrypted> done) {
        jobs.light(AdvanceOps.encrypt(ring, cmd, done));
    }

    @Override
    public void advanceDecrypt(Commands.Decrypt cmd, Completion<Results.Decrypted> done) {
        jobs.light(AdvanceOps.decrypt(ring, cmd, done));
    }

    @Override
    public void advanceGenerateDataKey(Commands.DataKey cmd, Completion<Results.DataKey> done) {
        jobs.light(AdvanceOps.generateDataKey(ring, cmd, done));
    }

    @Override
    public void generateDataKey(Commands.DataKey cmd, Completion<Results.DataKey> done) {
        jobs.light(SymmetricOps.generateDataKey(ring, cmd, done));
    }

    @Override
    public void generateDataKeyPair(Commands.DataKeyPair cmd, Completion<Results.DataKeyPair> done) {
        jobs.submit(keyPairs.generate(ring, cmd, done));
    }

    @Override
    public void generateRandom(int length, Completion<byte[]> done) {
        jobs.light(SymmetricOps.generateRandom(length, done));
    }

    @Override
    public Results.PublicKey getPublicKey(String keyIdOrAlias, String keyVersionId) {
        return SignOps.publicKey(ring.resolve(keyIdOrAlias, keyVersionId), keyVersionId);
    }

    @Override
    public String versionIdOfAdvanceBlob(byte[] blob) {
        return AdvanceOps.versionIdOf(blob);
    }

    @Override
    public int queueDepth() {
        return jobs.queueDepth();
    }
}
