#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Make the shim's private copy of jemalloc: drop its C++ operators (C++
# new/delete then reach the shim's malloc through libstdc++), rename its
# public functions, and its own mmap/munmap calls, per jemalloc.syms, and
# make its profiler's references to libm (log, exp, round) weak: the shim
# turns the profiler off for good (heap.c), and so does not load libm
# (300 KiB resident in every process, most of it libm's ifunc resolvers).
# usage: jemalloc-rename.sh IN.a SYMS OUT.a
set -eu
in=$1 syms=$2 out=$3
: "${AR:=ar}" "${OBJCOPY:=objcopy}"
cp "$in" "$out.tmp"
chmod u+w "$out.tmp"
if "$AR" t "$out.tmp" | grep -qx 'jemalloc_cpp.pic.o'; then
	"$AR" d "$out.tmp" jemalloc_cpp.pic.o
fi
"$OBJCOPY" --redefine-syms="$syms" --weaken-symbol=log --weaken-symbol=exp \
	--weaken-symbol=round "$out.tmp"
mv "$out.tmp" "$out"
