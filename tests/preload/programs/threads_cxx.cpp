// SPDX-License-Identifier: BSD-3-Clause
// A multi-threaded C++ program with a deterministic output: maps, strings
// and vectors built and torn down by several threads, objects handed from
// one thread to another.
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

static unsigned long work(int seed)
{
	std::map<std::string, std::vector<int>> m;
	unsigned long sum = 0;

	for (int i = 0; i < 20000; i++) {
		std::string key =
			"k" + std::to_string((i * 7919 + seed) % 5000);
		m[key].push_back(i);
		if (i % 3 == 0)
			m.erase("k" + std::to_string(i % 5000));
	}
	for (auto &kv : m)
		sum += kv.first.size() * kv.second.size();
	return sum;
}

int main()
{
	std::vector<std::thread> threads;
	std::vector<unsigned long> sums(8);
	std::vector<std::unique_ptr<std::vector<double>>> handed(8);

	for (int t = 0; t < 8; t++)
		threads.emplace_back([&, t] {
			sums[t] = work(t);
			handed[t].reset(new std::vector<double>(10000 + t, t));
		});
	for (auto &th : threads)
		th.join();
	threads.clear();
	for (int t = 0; t < 8; t++) // freed by other threads than made them
		threads.emplace_back([&, t] { handed[(t + 1) % 8].reset(); });
	for (auto &th : threads)
		th.join();
	for (int t = 0; t < 8; t++)
		std::printf("thread %d: %lu\n", t, sums[t]);
	return 0;
}
