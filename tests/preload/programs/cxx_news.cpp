// SPDX-License-Identifier: BSD-3-Clause
// A C++ library whose threads allocate only with new; dlopened by a C
// program (cxx_news_driver.c) to prove that new reaches the shim.
#include <cstddef>
#include <thread>
#include <vector>

extern "C" int cxx_news_run(int nthreads, int per_thread, char **out,
			    size_t *sizes)
{
	std::vector<std::thread> threads;

	for (int t = 0; t < nthreads; t++)
		threads.emplace_back([=] {
			for (int i = 0; i < per_thread; i++) {
				size_t n = 16u << (i % 18);
				int k = t * per_thread + i;

				out[k] = new char[n];
				out[k][0] = 1;
				sizes[k] = n;
			}
		});
	for (auto &th : threads)
		th.join();
	return nthreads * per_thread;
}

extern "C" void cxx_news_release(char **ptrs, int n)
{
	for (int i = 0; i < n; i++)
		delete[] ptrs[i];
}
