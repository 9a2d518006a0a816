#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Make the shim's private copy of jemalloc: drop its C++ operators (C++
# new/delete then reach the shim's malloc through libstdc++) and rename its
# public functions, and its own mmap/munmap calls, per jemalloc.syms.
# usage: jemalloc-rename.sh IN.a SYMS OUT.a
set -eu
in=$1 syms=$2 out=$3
: "${AR:=ar}" "${OBJCOPY:=objcopy}"
cp "$in" "$out.tmp"
chmod u+w "$out.tmp"
if "$AR" t "$out.tmp" | grep -qx 'jemalloc_cpp.pic.o'; then
	"$AR" d "$out.tmp" jemalloc_cpp.pic.o
fi
"$OBJCOPY" --redefine-syms="$syms" "$out.tmp"
mv "$out.tmp" "$out"
