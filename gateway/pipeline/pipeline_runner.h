// Where the pipeline's thread runs: in the background of the process's CPU.
//
// Ingest is what the marketplaces time out on: a push is answered once its event is synced, and
// the I/O and commit threads that get it there need the CPU the moment they can run. The
// pipeline (drafting, ODR counting, timers) works from the stored queue and may lag behind a
// burst, catching up when ingest leaves it CPU: so its thread runs at a lower priority
// (kPipelineNice more), and the kernel gives it the CPU ingest does not use, while a busy
// ingest still leaves it about a tenth of a contended core (CFS weight 110 vs 1024 at +10).
#pragma once

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "gateway/pipeline/pipeline.h"

namespace csgw::gateway {

inline constexpr int kPipelineNice = 10;

// Starts `pipeline`'s thread named "csgw-pipeline", kPipelineNice below the caller's priority.
// A new thread takes its name and nice value from the thread that creates it (Linux), so a
// short-lived launcher thread takes them first and calls Pipeline::Start: no other thread
// changes priority, and an unprivileged process may lower a thread's priority but could not
// raise the caller's back. A refused change (a sandbox) is harmless: the pipeline then runs at
// the gateway's priority.
inline void StartPipelineInBackground(Pipeline& pipeline) {
  std::thread launcher([&pipeline] {
    pthread_setname_np(pthread_self(), "csgw-pipeline");
    // PRIO_PROCESS with a thread id reads and sets that one thread's nice value on Linux.
    // Relative to the gateway's own, capped at the lowest priority (19).
    const id_t self = static_cast<id_t>(syscall(SYS_gettid));
    errno = 0;
    const int current = getpriority(PRIO_PROCESS, self);
    if (errno == 0) (void)setpriority(PRIO_PROCESS, self, std::min(current + kPipelineNice, 19));
    pipeline.Start();
  });
  launcher.join();
}

}  // namespace csgw::gateway
