// Scheduler: which task runs next. One CPU, round robin over the runnable tasks in the
// order they became runnable, and the sleeping tasks with what wakes them. Nothing here
// reads a host clock or host scheduling state, so the same program with the same input
// runs the same interleaving every time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <vector>

#include "os/proc/task.h"

namespace os::sched {

using proc::Task;
using proc::WaitChannel;
using proc::WaitKind;
using proc::WakeReason;

class Scheduler {
public:
    // A task that may run, at the back of the queue (new tasks, and the current task after
    // its turn).
    void enqueue(Task& t);
    // The next task to run, taken off the queue; nullptr if none is runnable.
    Task* pick_next();
    std::size_t runnable_count() const { return m_run_queue.size(); }

    // Puts `t` to sleep on `channel` (or only until `deadline`, in virtual ns).
    void sleep(Task& t, WaitChannel channel, std::optional<std::uint64_t> deadline, bool interruptible);
    // Wakes up to `max` tasks sleeping on exactly `channel`, first come first served;
    // returns how many.
    int wake(const WaitChannel& channel, int max = std::numeric_limits<int>::max());
    // FUTEX_WAKE_BITSET: the same among sleepers whose futex_bitset shares a bit with `bitset`.
    int wake_futex(const WaitChannel& channel, int max, std::uint32_t bitset);
    // Wakes every task sleeping on a channel of `kind` (and `object`, unless nullptr).
    int wake_all(WaitKind kind, const void* object = nullptr);
    // FUTEX_REQUEUE: moves up to `max` sleepers from `from` to `to`; returns how many.
    int requeue(const WaitChannel& from, const WaitChannel& to, int max);
    // Makes a sleeping task runnable (a signal for it, its deadline).
    void wake_task(Task& t, WakeReason reason);
    // Forgets a task that is dying, wherever it is.
    void remove(Task& t);

    // The earliest deadline of a sleeping task.
    std::optional<std::uint64_t> earliest_deadline() const;
    // Wakes the tasks whose deadline is <= now (WakeReason::TimedOut); returns how many.
    int expire(std::uint64_t now);
    const std::vector<Task*>& sleepers() const { return m_sleepers; }

private:
    std::deque<Task*> m_run_queue;
    std::vector<Task*> m_sleepers;  // in the order they went to sleep
    std::uint64_t m_sleep_seq = 0;
};

}  // namespace os::sched
