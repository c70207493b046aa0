// Session 10: how long a thread asleep on a condition variable takes to run after its waker's
// notify, when the kernel places it (argument 0) and when the waker first restricts it to the
// other CPUs if it sleeps on the waker's (argument 1). 60 wake-ups 3 ms apart; a wake-up that
// takes longer than 3 ms absorbs the next, so fewer may be counted.
//   g++ -O2 session10-wake-latency.cc -o wakelat -lpthread && ./wakelat 0 && ./wakelat 1
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>
#include <algorithm>
using clk = std::chrono::steady_clock;
int main(int argc, char** argv) {
  bool restrict_ = argc > 1 && argv[1][0] == '1';
  int n = 60;
  std::mutex m; std::condition_variable cv; long gen = 0; clk::time_point sent;
  std::vector<double> lat; std::vector<int> cpus; std::atomic<long> tid{0}; std::atomic<int> wcpu{-1};
  cpu_set_t all; sched_getaffinity(0, sizeof all, &all);
  std::atomic<bool> ready{false};
  std::thread w([&] {
    tid = syscall(SYS_gettid);
    long seen = 0;
    for (;;) {
      std::unique_lock<std::mutex> l(m);
      wcpu = sched_getcpu();
      ready = true;
      cv.wait(l, [&] { return gen != seen; });
      seen = gen;
      if (seen < 0) return;
      lat.push_back(std::chrono::duration<double, std::micro>(clk::now() - sent).count());
      cpus.push_back(sched_getcpu());
      l.unlock();
      if (restrict_) sched_setaffinity(0, sizeof all, &all);
    }
  });
  double setcost = 0;
  for (int i = 0; i < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    while (!ready) {}
    int me = sched_getcpu();
    if (restrict_ && wcpu == me) {
      cpu_set_t o = all; CPU_CLR(me, &o);
      auto t0 = clk::now();
      sched_setaffinity(tid, sizeof o, &o);
      setcost += std::chrono::duration<double, std::micro>(clk::now() - t0).count();
    }
    { std::lock_guard<std::mutex> l(m); ready = false; ++gen; sent = clk::now(); }
    cv.notify_one();
  }
  { std::lock_guard<std::mutex> l(m); gen = -1; } cv.notify_one(); w.join();
  std::sort(lat.begin(), lat.end());
  size_t k = lat.size();
  std::printf("restrict=%d wake-ups %zu, us: p25 %.0f med %.0f p75 %.0f p90 %.0f max %.0f; setaffinity total %.0f us\n", restrict_, k, lat[k/4], lat[k/2], lat[3*k/4], lat[9*k/10], lat[k-1], setcost);
}
