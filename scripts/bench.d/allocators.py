# SPDX-License-Identifier: BSD-3-Clause
"""What the benchmarks compare the shim with (glibc and the peers
preloaded), and the environment each run starts from (shared by
programs.py and shim/shim.py)."""
import os

JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
MEMTIER = "/usr/lib/x86_64-linux-gnu/libmemtier.so.0"
MIMALLOC = "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2"
TCMALLOC = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"

# The peers preloaded: (name, library, Debian package, extra environment).
# scripts/bench installs the missing packages first (PEER_PACKAGES there).
PEERS = [
    ("jemalloc", JEMALLOC, "libjemalloc2", {}),
    ("mimalloc", MIMALLOC, "libmimalloc2.0", {}),
    ("tcmalloc", TCMALLOC, "libtcmalloc-minimal4", {}),
    # memkind's memtier with all memory in DRAM
    ("memtier", MEMTIER, "libmemkind0",
     {"MEMKIND_MEM_TIERS": "KIND:DRAM,RATIO:1;POLICY:STATIC_RATIO"}),
]



def peers():
    """(name, environment) of each installed peer, and a note for each
    missing one."""
    have, notes = [], []
    for name, lib, package, extra in PEERS:
        if os.path.exists(lib):
            env = {"LD_PRELOAD": lib}
            env.update(extra)
            have.append((name, env))
        else:
            notes.append("%s skipped: %s missing (apt-get install %s)"
                         % (name, lib, package))
    return have, notes


def clean_env(extra):
    """This process's environment without any preload or allocator
    settings of its own, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if k != "LD_PRELOAD" and not k.startswith("AML_")
           and not k.startswith("MEMKIND_")}
    env.update(extra)
    return env
