# SPDX-License-Identifier: BSD-3-Clause
"""What the benchmarks compare the shim with, and the environment each run
starts from (shared by programs.py and shim/shim.py)."""
import os

JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
MEMTIER = "/usr/lib/x86_64-linux-gnu/libmemtier.so.0"

# jemalloc and memkind's memtier preloaded (memtier with all memory in DRAM).
JEMALLOC_ENV = {"LD_PRELOAD": JEMALLOC}
MEMTIER_ENV = {"LD_PRELOAD": MEMTIER,
               "MEMKIND_MEM_TIERS": "KIND:DRAM,RATIO:1;POLICY:STATIC_RATIO"}


def clean_env(extra):
    """This process's environment without any preload or allocator
    settings of its own, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if k != "LD_PRELOAD" and not k.startswith("AML_")
           and not k.startswith("MEMKIND_")}
    env.update(extra)
    return env
