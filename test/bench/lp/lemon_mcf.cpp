// test/bench/lp/lemon_mcf.cpp: LEMON's NetworkSimplex on a DIMACS min-cost
// flow file, the benchmark peer of settle's own network simplex (matching.sh).
// Bench-only: settle never links LEMON.
//
//     lemon_mcf LP.min REPS
//
// Prints "lemon <min ms> <median ms> <cost> <status>": the time of
// NetworkSimplex::run() with the default pivot rule (block search),
// including its own set-up of the network, over REPS runs; the graph is
// read once, outside the timing.
#include <lemon/dimacs.h>
#include <lemon/list_graph.h>
#include <lemon/network_simplex.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>

using namespace lemon;
typedef long long ll;

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: lemon_mcf LP.min REPS\n");
        return 2;
    }
    ListDigraph g;
    ListDigraph::ArcMap<ll> lower(g), cap(g), cost(g);
    ListDigraph::NodeMap<ll> supply(g);
    std::ifstream in(argv[1]);
    readDimacsMin(in, g, lower, cap, cost, supply);
    int reps = std::atoi(argv[2]);
    std::vector<double> ms;
    ll total = 0;
    int status = -1;
    for (int r = 0; r < reps; r++) {
        auto t0 = std::chrono::steady_clock::now();
        NetworkSimplex<ListDigraph, ll, ll> ns(g);
        ns.upperMap(cap).costMap(cost).supplyMap(supply);
        status = ns.run();
        auto t1 = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        total = ns.totalCost<ll>();
    }
    std::sort(ms.begin(), ms.end());
    std::printf("lemon %.1f %.1f %lld %s\n", ms[0], ms[ms.size() / 2], total,
                status == NetworkSimplex<ListDigraph, ll, ll>::OPTIMAL ? "optimal" : "not-optimal");
    return 0;
}
