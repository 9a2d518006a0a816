/* SPDX-License-Identifier: BSD-3-Clause */
/* The C++ site of sites.c: an array made with new (mangled name
 * _Z9cxx_arraym). */
#include <cstddef>

__attribute__((noinline)) double *cxx_array(std::size_t n)
{
	double *p = new double[n];

	p[0] = 1.0;
	return p;
}

extern "C" double *cxx_array_c(std::size_t n)
{
	return cxx_array(n);
}
