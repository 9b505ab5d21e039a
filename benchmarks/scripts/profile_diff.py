#!/usr/bin/env python3
"""profile_diff.py GATEWAY.collapsed FLOOR.collapsed [RSA_US]: what kmsgw spends per request beyond the floor server.

Reads two profile.sh outputs (async-profiler folded stacks) of the same load: one of the gateway, one with FLOOR=1.
Each sample is charged to the component of the frame nearest its leaf that names one (the audit writer, the meters,
kmsgw's handlers, Netty, the kernel below them, ...). Both servers verify every request's RSA signature once with the
same code, so each profile's RSA samples count its requests: the gateway's components are scaled to the floor's number
of requests, and samples are turned into microseconds per request by taking one RSA verification as RSA_US (default
21.5, what Conscrypt's RSA-2048 verification measured here). Prints each component, largest difference first.
"""
import collections
import sys

COMPONENTS = [
    ("rsa", ["OpenSSLSignatureRawRSA"]),
    ("sha", ["MessageDigest"]),
    ("aes", ["javax/crypto/Cipher", "SimHsm.encrypt", "Operations.crypt", "GaloisCounterMode"]),
    ("random", ["generateRandom", "SecureRandom"]),
    ("tls-wrap", ["SslHandler.wrap"]),
    ("tls-unwrap", ["ReferenceCountedOpenSslEngine.unwrap"]),
    ("audit", ["io/kmsgw/gateway/audit/"]),
    ("meters", ["io/kmsgw/gateway/metrics", "io/micrometer"]),
    ("http-decode", ["HttpObjectDecoder", "HttpObjectAggregator"]),
    ("http-encode", ["HttpObjectEncoder", "HttpResponseEncoder"]),
    ("protobuf", ["com/google/protobuf"]),
    ("store", ["io/kmsgw/crypto/store", "org/sqlite"]),
    ("hsm", ["io/kmsgw/hsm"]),
    ("engine", ["io/kmsgw/crypto/"]),
    ("kmsgw-handlers", ["io/kmsgw/"]),
    ("epoll-wait", ["epollWait"]),
    ("netty", ["io/netty"]),
]


def component(frames):
    for frame in reversed(frames):
        for name, keys in COMPONENTS:
            if any(k in frame for k in keys):
                return name
    if any("G1" in f or "GC" in f for f in frames):
        return "gc"
    if any("Compile" in f or "C2" in f for f in frames):
        return "jit"
    return "other"


def load(path):
    counts = collections.Counter()
    with open(path) as f:
        for line in f:
            stack, n = line.rstrip().rsplit(" ", 1)
            counts[component(stack.split(";"))] += int(n)
    return counts


def main():
    gw, floor = load(sys.argv[1]), load(sys.argv[2])
    rsa_us = float(sys.argv[3]) if len(sys.argv) > 3 else 21.5
    if not gw["rsa"] or not floor["rsa"]:
        sys.exit("no RSA verification samples in one of the profiles: not a profile of Encrypt under load?")
    scale = floor["rsa"] / gw["rsa"]  # gateway samples per floor-request
    us = rsa_us / floor["rsa"]
    print(f"gateway requests / floor requests in the profiled 10 s: {gw['rsa'] / floor['rsa']:.3f}")
    print(f"{'component':16s} {'kmsgw':>7s} {'floor':>7s} {'diff':>7s}   (us of server CPU per request)")
    for k in sorted(set(gw) | set(floor), key=lambda k: -(gw[k] * scale - floor[k])):
        a, b = gw[k] * scale * us, floor[k] * us
        if abs(a) >= 0.05 or abs(b) >= 0.05:
            print(f"{k:16s} {a:7.2f} {b:7.2f} {a - b:7.2f}")


if __name__ == "__main__":
    main()
