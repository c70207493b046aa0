// Session 10: how long a thread's move off its CPU takes (affinity set to the other CPUs, then
// back to all, as thread_pool.cc's move_off_cpu does): 40 moves 5 ms apart, percentiles in us.
//   g++ -O2 session10-move-time.cc -o movetime -lpthread && ./movetime
#include <sched.h>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>
#include <algorithm>
int main(int argc, char** argv) {
  int n = 40; std::vector<double> us;
  std::thread t([&] {
    for (int i = 0; i < n; ++i) {
      int cpu = sched_getcpu();
      cpu_set_t all, others; sched_getaffinity(0, sizeof all, &all); others = all; CPU_CLR(cpu, &others);
      auto t0 = std::chrono::steady_clock::now();
      sched_setaffinity(0, sizeof others, &others); sched_setaffinity(0, sizeof all, &all);
      us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  t.join(); std::sort(us.begin(), us.end());
  std::printf("move us: min %.0f p25 %.0f med %.0f p75 %.0f p90 %.0f max %.0f\n", us[0], us[n/4], us[n/2], us[3*n/4], us[9*n/10], us[n-1]);
}
